import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidBlobKey } from './blob-key';
import { BlobNotFoundError, type BlobStat, type BlobStore, type StagedBlob } from './blob-store';
import { streamToStagingFile } from './stage-file';

/** The embedded default: a directory on local disk. `.staging/` holds bytes not yet committed. */
export class LocalBlobStore implements BlobStore {
  private readonly root: string;
  private readonly staging: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.staging = path.join(this.root, '.staging');
  }

  private pathOf(key: string): string {
    assertValidBlobKey(key);
    const full = path.resolve(this.root, key);
    // Defence in depth: the key grammar already forbids escaping the root.
    if (!full.startsWith(this.root + path.sep)) throw new Error(`blob key ${key} resolves outside the store`);
    return full;
  }

  private async tempPath(): Promise<string> {
    await mkdir(this.staging, { recursive: true });
    return path.join(this.staging, `${randomUUID()}.tmp`);
  }

  async put(key: string, data: Uint8Array | string): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.tempPath();
    try {
      await writeFile(temp, data);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async putFile(key: string, sourcePath: string): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.tempPath();
    try {
      await pipeline(createReadStream(sourcePath), createWriteStream(temp));
      await mkdir(path.dirname(target), { recursive: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async localPath(key: string): Promise<string> {
    if (!(await this.stat(key))) throw new BlobNotFoundError(key);
    return this.pathOf(key);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async createReadStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const file = this.pathOf(key);
    if (!(await this.stat(key))) throw new BlobNotFoundError(key);
    return createReadStream(file, range);
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size, modifiedAt: s.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const trimmed = prefix.replace(/\/+$/, '');
    const base = trimmed ? this.pathOf(trimmed) : this.root;
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (full !== this.staging) await walk(full);
        } else if (entry.isFile()) out.push(path.relative(this.root, full).split(path.sep).join('/'));
      }
    };
    await walk(base);
    return out.sort();
  }

  async stage(source: Readable, options: { maxBytes?: number } = {}): Promise<StagedBlob> {
    const temp = await this.tempPath();
    const { sha256, size } = await streamToStagingFile(source, temp, options.maxBytes);
    let settled = false;
    return {
      sha256,
      size,
      path: temp,
      commit: async (key: string) => {
        if (settled) throw new Error('staged blob already committed or discarded');
        settled = true;
        const target = this.pathOf(key);
        const existing = await this.stat(key);
        if (existing && existing.size === size) {
          await rm(temp, { force: true });
          return;
        }
        await mkdir(path.dirname(target), { recursive: true });
        await rename(temp, target);
      },
      discard: async () => {
        settled = true;
        await rm(temp, { force: true });
      },
    };
  }
}
