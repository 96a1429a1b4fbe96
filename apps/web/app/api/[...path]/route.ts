// The API's binary routes (uploads, image files and thumbnails), forwarded with streamed bodies.
import { binaryRouteUnreachable, forwardToApi } from '../../../server/api-proxy';

export const dynamic = 'force-dynamic';

const handler = (request: Request) => forwardToApi(request, binaryRouteUnreachable);

export { handler as GET, handler as HEAD, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as OPTIONS };
