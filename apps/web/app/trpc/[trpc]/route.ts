// tRPC over HTTP (batched GET queries and POST mutations), forwarded to the API.
import { forwardToApi, trpcUnreachable } from '../../../server/api-proxy';

export const dynamic = 'force-dynamic';

const handler = (request: Request) => forwardToApi(request, trpcUnreachable);

export { handler as GET, handler as POST };
