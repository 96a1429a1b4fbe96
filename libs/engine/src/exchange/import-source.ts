// Reading an uploaded import file from the blob store: a JSON file or a tar archive, either one
// optionally gzipped (told apart by their first bytes, not by name).
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { AppError } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';

/**
 * The most a JSON document parsed whole may hold (an SA-1B per-image file), and the most one
 * member of a streamed COCO file may (its images list); past this it would not fit a string.
 */
export const MAX_IMPORT_JSON_BYTES = 256 * 1024 * 1024;
/** The most one annotation of a streamed COCO file may hold (an RLE of a very large, intricate mask). */
export const MAX_IMPORT_ANNOTATION_BYTES = 64 * 1024 * 1024;

export type SourceContainer = 'json' | 'tar';

export interface Opened {
  container: SourceContainer;
  gzip: boolean;
}

/** Sniffs the source's container from its first bytes. */
export async function sniffSource(deps: EngineDeps, key: string): Promise<Opened> {
  const head = await readHead(deps, key, 512);
  if (head.length === 0) throw new AppError('BAD_REQUEST', 'the uploaded file is empty; upload a COCO JSON, an SA-1B JSON or a tar of them');
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const plain = gzip ? await readHead(deps, key, 512, true) : head;
  const isTar = plain.length >= 262 && plain.subarray(257, 262).toString('latin1') === 'ustar';
  if (isTar) return { container: 'tar', gzip };
  const first = plain.toString('utf8').trimStart()[0];
  if (first === '{' || first === '[') return { container: 'json', gzip };
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the uploaded file is neither JSON nor a tar archive (plain or gzipped); upload a COCO instances JSON, an SA-1B per-image JSON or a tar of them');
}

async function readHead(deps: EngineDeps, key: string, bytes: number, gunzip = false): Promise<Buffer> {
  const stream = await openStream(deps, key, gunzip);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= bytes) break;
    }
  } catch {
    throw new AppError('BAD_REQUEST', 'the uploaded file starts like gzip but does not decompress; upload it again');
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

/** The stored file as a stream of its bytes (gunzipped when it is gzip). */
export async function openSource(deps: EngineDeps, key: string, gunzip: boolean): Promise<Readable> {
  return openStream(deps, key, gunzip);
}

async function openStream(deps: EngineDeps, key: string, gunzip: boolean): Promise<Readable> {
  const raw = await deps.blobs.createReadStream(key);
  if (!gunzip) return raw;
  const unzip = createGunzip();
  raw.on('error', (error) => unzip.destroy(error));
  return raw.pipe(unzip);
}

/** Parses a whole JSON stream, with a clear message when it is not JSON. */
export async function parseJsonStream(stream: AsyncIterable<Buffer | string>, what: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_IMPORT_JSON_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `${what} is larger than ${MAX_IMPORT_JSON_BYTES / 1024 / 1024} MiB; split it into several files (or use SA-1B per-image JSON in a tar)`);
    }
    chunks.push(buf);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AppError('BAD_REQUEST', `${what} is not valid JSON (${(error as Error).message}); nothing was imported`);
  }
}

export async function readJsonSource(deps: EngineDeps, key: string, gzip: boolean): Promise<unknown> {
  return parseJsonStream(await openStream(deps, key, gzip), 'the uploaded file');
}

export interface TarEntry {
  name: string;
  size: number;
  body: AsyncIterable<Buffer>;
}

/** Walks the regular files of a tar; `visit` must consume (or ignore) each body before the next. */
export async function walkTar(deps: EngineDeps, key: string, gzip: boolean, visit: (entry: TarEntry) => Promise<void>): Promise<void> {
  const source = await openStream(deps, key, gzip);
  const extract = tar.extract();
  source.on('error', (error) => extract.destroy(error));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  let visitorError: unknown = null;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      if (header.type === 'file' || header.type === 'contiguous-file') {
        await visit({ name: header.name, size: header.size ?? 0, body: entry as AsyncIterable<Buffer> }).catch((error: unknown) => {
          visitorError = error;
          throw error;
        });
      }
      entry.resume(); // drains whatever the visitor left
    }
  } catch (error) {
    if (error === visitorError) throw error;
    throw new AppError('BAD_REQUEST', `the uploaded archive is not a readable tar (${(error as Error).message}); nothing more was imported`);
  } finally {
    source.destroy();
  }
}

/** sha-256 (hex) of a stream. */
export async function hashStream(body: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of body) hash.update(chunk);
  return hash.digest('hex');
}
