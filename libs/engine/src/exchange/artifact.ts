// An export's one downloadable artifact: a tar (streamed straight into the blob store's staging
// area, so it is never held in memory) or a single file. Published under its key only when
// complete; an aborted export leaves nothing behind.
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { EngineDeps } from '../engine-deps';

export interface StoredArtifact {
  key: string;
  bytes: number;
  sha256: string;
}

export interface TarWriter {
  /** adds a local file (streamed) */
  addFile(name: string, localPath: string, size: number): Promise<void>;
  /** adds a blob of the store (streamed) */
  addBlob(name: string, key: string, size: number): Promise<void>;
}

/** Builds a tar with `produce` and stores it under `key`. */
export async function storeTarArtifact(deps: EngineDeps, key: string, produce: (tarWriter: TarWriter) => Promise<void>): Promise<StoredArtifact> {
  const pack = tar.pack();
  const mtime = new Date();
  const staging = deps.blobs.stage(Readable.from(pack));
  const addStream = async (name: string, source: Readable, size: number) => {
    let sink!: NodeJS.WritableStream;
    const written = new Promise<void>((ok, fail) => {
      sink = pack.entry({ name, size, mtime }, (error) => (error ? fail(error) : ok()));
    });
    for await (const chunk of source) {
      if (!sink.write(chunk as Buffer)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
    }
    sink.end();
    await written;
  };
  try {
    await produce({
      addFile: (name, localPath, size) => addStream(name, createReadStream(localPath), size),
      addBlob: async (name, blobKey, size) => addStream(name, await deps.blobs.createReadStream(blobKey), size),
    });
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    await staging.then((s) => s.discard()).catch(() => undefined); // the export's own error is the one to report
    throw error;
  }
  const staged = await staging;
  await staged.commit(key);
  return { key, bytes: staged.size, sha256: staged.sha256 };
}

/** Stores one local file as the artifact. */
export async function storeFileArtifact(deps: EngineDeps, key: string, localPath: string): Promise<StoredArtifact> {
  const staged = await deps.blobs.stage(createReadStream(localPath));
  await staged.commit(key);
  return { key, bytes: staged.size, sha256: staged.sha256 };
}

/** Every file under `dir`, as slash-separated relative names, sorted. */
export async function listFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
