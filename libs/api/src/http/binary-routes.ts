// Routes that move bytes rather than JSON: uploads (streamed straight into the blob store's
// staging area) and image/thumbnail downloads with HTTP caching.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@dataengine/contracts';
import { authenticateSession, getImageForActor, uploadImage } from '@dataengine/engine';
import type { ApiDeps } from '../api-deps';
import { readSessionToken } from './cookies';
import { sendJson } from './respond';

const UPLOAD_ROUTE = /^\/api\/projects\/([0-9a-f-]{36})\/images$/;
const IMAGE_ROUTE = /^\/api\/images\/(\d+)\/(file|thumbnail)$/;

export function matchBinaryRoute(method: string, pathname: string): ((deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) | null {
  const upload = UPLOAD_ROUTE.exec(pathname);
  if (upload && method === 'POST') return (deps, req, res, url) => handleUpload(deps, req, res, url, upload[1]!);
  const image = IMAGE_ROUTE.exec(pathname);
  if (image && (method === 'GET' || method === 'HEAD')) {
    return (deps, req, res) => handleImage(deps, req, res, Number(image[1]), image[2] as 'file' | 'thumbnail');
  }
  return null;
}

async function handleUpload(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, projectId: string): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > deps.settings.UPLOAD_MAX_BYTES) {
    req.resume();
    throw new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${deps.settings.UPLOAD_MAX_BYTES} bytes; upload a smaller image`);
  }
  const headerName = req.headers['x-file-name'];
  const fileName = url.searchParams.get('name') ?? (typeof headerName === 'string' ? decodeURIComponent(headerName) : 'image');
  const split = url.searchParams.get('split');
  const result = await uploadImage(deps, actor, {
    projectId,
    fileName,
    body: req,
    runId: url.searchParams.get('runId') ?? undefined,
    split: split === 'val' ? 'val' : split === 'train' ? 'train' : undefined,
  });
  sendJson(res, result.duplicate ? 200 : 201, result);
}

async function handleImage(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, imageId: number, variant: 'file' | 'thumbnail'): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  const image = await getImageForActor(deps, actor, imageId);
  const key = variant === 'file' ? image.blobKey : image.thumbKey;
  if (!key) throw new AppError('NOT_FOUND', `image ${imageId} has no thumbnail yet (status ${image.status})`);
  const etag = `"${image.contentHash}-${variant}"`;
  const headers = {
    ETag: etag,
    // content-addressed: the bytes behind this URL never change; private because access is checked
    'Cache-Control': 'private, max-age=31536000, immutable',
    'Content-Type': variant === 'file' ? image.mime : 'image/webp',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const stat = await deps.blobs.stat(key);
  if (!stat) throw new AppError('NOT_FOUND', `the stored bytes of image ${imageId} are missing; ask ops to re-ingest the project`);
  res.writeHead(200, { ...headers, 'Content-Length': stat.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = await deps.blobs.createReadStream(key);
  stream.pipe(res);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
  });
}
