import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { assertValidBlobKey } from './blob-key';

export interface BlobCacheOptions {
  /** Directory of the cache (created on first use); nothing else should live in it. */
  dir: string;
  /** Upper bound of the cached bytes; least recently used entries go first. Unset: no bound. */
  maxBytes?: number;
  /**
   * An entry handed out less than this long ago is not evicted (its caller is about to open it).
   * Default 60 s.
   */
  inUseGraceMs?: number;
  /** Clock (ms), for tests. */
  now?: () => number;
  /** Called when the cache stays over its bound because every remaining entry is pinned or in use. */
  onOverBound?: (info: { bytes: number; maxBytes: number }) => void;
}

export interface BlobCacheStats {
  bytes: number;
  files: number;
  downloads: number;
  hits: number;
  evictions: number;
}

/** Fills `tempPath` with the blob's bytes (e.g. a streamed download); throwing leaves nothing cached. */
export type BlobDownload = (tempPath: string) => Promise<void>;

interface Entry {
  size: number;
  usedAt: number;
}

/**
 * Local copies of remote blobs, for libraries that need a file (onnxruntime sessions, image
 * decoders): `<dir>/<key>`, so a bundle's files stay side by side. Downloads land in
 * `<dir>/.downloading/` and are renamed into place, so a reader never sees half a file; concurrent
 * requests for one key share one download. Bounded by maxBytes (least recently used first; pinned
 * keys and entries handed out moments ago stay). Keys are content-addressed, so a cached copy is
 * never stale.
 */
export class BlobCache {
  readonly dir: string;
  readonly maxBytes: number | undefined;
  private readonly downloading: string;
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly onOverBound: BlobCacheOptions['onOverBound'];
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly pins = new Map<string, number>();
  private ready: Promise<void> | null = null;
  private counters = { downloads: 0, hits: 0, evictions: 0 };

  constructor(options: BlobCacheOptions) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
    this.downloading = path.join(this.dir, '.downloading');
    this.graceMs = options.inUseGraceMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.onOverBound = options.onOverBound;
  }

  private fileOf(key: string): string {
    assertValidBlobKey(key);
    return path.join(this.dir, ...key.split('/'));
  }

  /** Loads what an earlier process cached, and drops its unfinished downloads. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await rm(this.downloading, { recursive: true, force: true });
      await mkdir(this.downloading, { recursive: true });
      const found = await readdir(this.dir, { recursive: true, withFileTypes: true });
      const loaded: Array<[string, Entry]> = [];
      for (const dirent of found) {
        if (!dirent.isFile()) continue;
        const full = path.join(dirent.parentPath, dirent.name);
        const key = path.relative(this.dir, full).split(path.sep).join('/');
        if (key.startsWith('.')) continue;
        const s = await stat(full).catch(() => null);
        if (s) loaded.push([key, { size: s.size, usedAt: s.mtimeMs }]);
      }
      loaded.sort((a, b) => a[1].usedAt - b[1].usedAt);
      for (const [key, entry] of loaded) if (!this.entries.has(key)) this.entries.set(key, entry);
    })().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /** The local path of `key`, downloading it with `download` unless it is cached. */
  async path(key: string, download: BlobDownload): Promise<string> {
    const file = this.fileOf(key);
    await this.init();
    const cached = this.entries.get(key);
    if (cached) {
      const present = await utimes(file, new Date(), new Date()).then(
        () => true,
        (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
      );
      if (present) {
        this.counters.hits++;
        this.touch(key, cached);
        return file;
      }
      // gone from disk (another process sharing the directory evicted it): download it again
      this.entries.delete(key);
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = this.fill(key, file, download).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  private touch(key: string, entry: Entry): void {
    entry.usedAt = this.now();
    // re-insert: Map order breaks ties between entries used at the same instant
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private async fill(key: string, file: string, download: BlobDownload): Promise<string> {
    const temp = path.join(this.downloading, `${randomUUID()}.part`);
    try {
      await download(temp);
      const { size } = await stat(temp);
      await mkdir(path.dirname(file), { recursive: true });
      await rename(temp, file);
      this.counters.downloads++;
      this.entries.set(key, { size, usedAt: this.now() });
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.evict(key);
    return file;
  }

  /** Whether `key` is cached now. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  stats(): BlobCacheStats {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.size;
    return { bytes, files: this.entries.size, ...this.counters };
  }

  /** Keeps `keys` from eviction (e.g. the active checkpoint's bundle) until the returned function is called. */
  pin(keys: string[]): () => void {
    for (const key of keys) this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const n = (this.pins.get(key) ?? 0) - 1;
        if (n > 0) this.pins.set(key, n);
        else this.pins.delete(key);
      }
    };
  }

  /**
   * Removes least recently used entries until the cache fits its bound. `fresh` (the entry just
   * downloaded) always stays: its path is handed to a caller about to open it. One that cannot fit
   * beside the pinned entries goes at a later eviction, once its grace has passed.
   */
  async evict(fresh?: string): Promise<void> {
    if (this.maxBytes === undefined) return;
    const maxBytes = this.maxBytes;
    let { bytes } = this.stats();
    if (bytes <= maxBytes) return;
    const now = this.now();
    const order = [...this.entries.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt);
    for (const [key, entry] of order) {
      if (bytes <= maxBytes) break;
      if (this.pins.has(key)) continue;
      if (key === fresh || now - entry.usedAt < this.graceMs) continue;
      this.entries.delete(key);
      await rm(this.fileOf(key), { force: true });
      this.counters.evictions++;
      bytes -= entry.size;
    }
    if (bytes > maxBytes) this.onOverBound?.({ bytes, maxBytes });
  }
}
