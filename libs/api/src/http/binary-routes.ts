// Routes that move bytes rather than JSON: uploads (streamed straight into the blob store's
// staging area) and image/thumbnail downloads with HTTP caching.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, embeddingContentType, MAX_INT32, parseSerialId, splitChoiceSchema, type SplitChoice } from '@dataengine/contracts';
import { authenticateSession, checkpointFileKey, getImageForActor, lookupEmbedding, uploadImage } from '@dataengine/engine';
import type { ApiDeps } from '../api-deps';
import { IMAGE_UPLOAD_BODY, requireBodyType } from './body-type';
import { readSessionToken } from './cookies';
import { sendJson } from './respond';

const UPLOAD_ROUTE = /^\/api\/projects\/([0-9a-f-]{36})\/images$/;
const IMAGE_ROUTE = /^\/api\/images\/(\d+)\/(file|thumbnail)$/;
const EMBEDDING_ROUTE = /^\/api\/images\/(\d+)\/embedding$/;
const CHECKPOINT_FILE_ROUTE = /^\/api\/checkpoints\/([0-9a-f-]{36})\/files\/([\w.-]+)$/;

export function matchBinaryRoute(method: string, pathname: string): ((deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>) | null {
  const upload = UPLOAD_ROUTE.exec(pathname);
  if (upload && method === 'POST') return (deps, req, res, url) => handleUpload(deps, req, res, url, upload[1]!);
  const image = IMAGE_ROUTE.exec(pathname);
  if (image && (method === 'GET' || method === 'HEAD')) {
    return (deps, req, res) => handleImage(deps, req, res, imageIdParam(image[1]!), image[2] as 'file' | 'thumbnail');
  }
  const embedding = EMBEDDING_ROUTE.exec(pathname);
  if (embedding && method === 'GET') return (deps, req, res, url) => handleEmbedding(deps, req, res, url, imageIdParam(embedding[1]!));
  const checkpointFile = CHECKPOINT_FILE_ROUTE.exec(pathname);
  if (checkpointFile && (method === 'GET' || method === 'HEAD')) return (deps, req, res) => handleCheckpointFile(deps, req, res, checkpointFile[1]!, checkpointFile[2]!);
  return null;
}

async function handleEmbedding(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, imageId: number): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  const found = await lookupEmbedding(deps, actor, { imageId, checkpointId: url.searchParams.get('checkpointId') ?? undefined });
  if (found.state === 'queued') {
    res.setHeader('Retry-After', '1');
    sendJson(res, 202, { status: 'queued', checkpointId: found.checkpointId, message: 'the embedding is being computed; ask again shortly' });
    return;
  }
  const headers = {
    ETag: found.etag,
    'Cache-Control': 'private, max-age=31536000, immutable',
    'Content-Type': 'application/octet-stream',
    'X-Embedding-Dtype': found.dtype,
    'X-Embedding-Shape': found.shape.join(','),
    'X-Checkpoint-Id': found.checkpointId,
    'X-Image-Size': `${found.image.width}x${found.image.height}`,
    'Access-Control-Expose-Headers': 'X-Embedding-Dtype, X-Embedding-Shape, X-Checkpoint-Id, X-Image-Size',
  };
  if (req.headers['if-none-match'] === found.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const description = { dtype: found.dtype, shape: found.shape, checkpointId: found.checkpointId, imageWidth: found.image.width, imageHeight: found.image.height };
  if (await redirectToStore(deps, res, found.blobKey, embeddingContentType(description))) return;
  await streamBlob(deps, found.blobKey, res, 200, { ...headers, 'Content-Length': found.byteSize });
}

/**
 * Model files for the browser's decoder (and its encoder, for the focus view); immutable
 * (content-addressed bundles), so cached forever. HEAD tells a file's size before it is fetched.
 */
async function handleCheckpointFile(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, checkpointId: string, file: string): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  const { key, etag } = await checkpointFileKey(deps, actor, { checkpointId, file });
  const stat = await deps.blobs.stat(key);
  if (!stat) throw new AppError('NOT_FOUND', `checkpoint ${checkpointId} has no ${file}`);
  // X-File-Size: the size survives proxies that recompute or drop Content-Length on a HEAD;
  // X-External-Data-Size: the model keeps its weights in a `<file>.data` side file (large exports)
  const sideFile = file.endsWith('.onnx') ? await deps.blobs.stat(`${key}.data`) : null;
  const headers = {
    ETag: etag,
    'Cache-Control': 'private, max-age=31536000, immutable',
    'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    'X-File-Size': String(stat.size),
    ...(sideFile ? { 'X-External-Data-Size': String(sideFile.size) } : {}),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'Content-Length': stat.size }).end();
    return;
  }
  await streamBlob(deps, key, res, 200, { ...headers, 'Content-Length': stat.size });
}

/**
 * Where the store signs URLs (S3) and S3_PRESIGN_SECONDS > 0: answers 302 to a short-lived
 * presigned GET (after the caller's access checks), so the bytes go from storage to the browser
 * without passing through the API. The redirect itself is cached for at most half the URL's life.
 */
async function redirectToStore(deps: ApiDeps, res: ServerResponse, key: string, contentType: string): Promise<boolean> {
  const seconds = deps.settings.S3_PRESIGN_SECONDS ?? 0;
  if (!deps.blobs.signedGetUrl || seconds <= 0) return false;
  const url = await deps.blobs.signedGetUrl(key, { expiresInSeconds: seconds, contentType, cacheControl: 'private, max-age=31536000, immutable' });
  res.writeHead(302, { Location: url, 'Cache-Control': `private, max-age=${Math.floor(seconds / 2)}` }).end();
  return true;
}

/**
 * Opens the blob before the status line goes out (an unreachable store still answers 503), then
 * streams it; a failure mid-body ends the response (the length tells the client it was cut).
 */
async function streamBlob(deps: ApiDeps, key: string, res: ServerResponse, status: number, headers: Record<string, string | number>): Promise<void> {
  const stream = await deps.blobs.createReadStream(key);
  res.writeHead(status, headers);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('finish', resolve);
    res.on('close', resolve);
  });
}

async function handleUpload(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, projectId: string): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  requireBodyType(req, IMAGE_UPLOAD_BODY);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > deps.settings.UPLOAD_MAX_BYTES) {
    req.resume();
    throw new AppError('PAYLOAD_TOO_LARGE', `the file is larger than ${deps.settings.UPLOAD_MAX_BYTES} bytes; upload a smaller image`);
  }
  const headerName = req.headers['x-file-name'];
  const fileName = url.searchParams.get('name') ?? (typeof headerName === 'string' ? decodeFileNameHeader(headerName) : 'image');
  let split: SplitChoice | undefined;
  try {
    split = parseSplitChoice(url.searchParams.get('split'));
  } catch (error) {
    req.resume();
    throw error;
  }
  const result = await uploadImage(deps, actor, {
    projectId,
    fileName,
    body: req,
    runId: url.searchParams.get('runId') ?? undefined,
    split,
  });
  sendJson(res, result.duplicate ? 200 : 201, result);
}

/** The image id of a path: a serial id, or a 400 (an id no image can have never reaches the database). */
function imageIdParam(raw: string): number {
  const id = parseSerialId(raw);
  if (id === null) throw new AppError('BAD_REQUEST', `image id must be a whole number from 1 to ${MAX_INT32}, got "${raw.slice(0, 40)}"`);
  return id;
}

/** `X-File-Name` is percent-encoded (encodeURIComponent) so any file name fits in a header. */
function decodeFileNameHeader(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError('BAD_REQUEST', `the X-File-Name header is not valid percent-encoding ("${value.slice(0, 60)}"); send encodeURIComponent(fileName), or the name as ?name=`);
  }
}

/** `?split=` of an upload: auto (the project's val share, also when absent), train or val. */
function parseSplitChoice(value: string | null): SplitChoice | undefined {
  if (value === null || value === '') return undefined;
  const parsed = splitChoiceSchema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_REQUEST', `split must be auto, train or val, got "${value.slice(0, 40)}"`);
  return parsed.data;
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
  if (req.method === 'GET' && (await redirectToStore(deps, res, key, headers['Content-Type']))) return;
  const stat = await deps.blobs.stat(key);
  if (!stat) throw new AppError('NOT_FOUND', `the stored bytes of image ${imageId} are missing; ask ops to re-ingest the project`);
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'Content-Length': stat.size }).end();
    return;
  }
  await streamBlob(deps, key, res, 200, { ...headers, 'Content-Length': stat.size });
}
