import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from './blob-cache';

let dir: string;
let clock: number;
const now = () => clock;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'blob-cache-'));
  clock = 1_000_000;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A download of `size` bytes of `fill`, counting its calls. */
function source(size: number, fill = 1) {
  const calls = { count: 0 };
  const download = async (temp: string) => {
    calls.count++;
    await writeFile(temp, Buffer.alloc(size, fill));
  };
  return { download, calls };
}

const cacheOf = (maxBytes: number) => new BlobCache({ dir: path.join(dir, 'cache'), maxBytes, inUseGraceMs: 10, now });

describe('blob cache', () => {
  it('downloads once, then serves the cached file', async () => {
    const cache = cacheOf(1000);
    const a = source(100, 7);
    const first = await cache.path('bundles/x/model.onnx', a.download);
    const second = await cache.path('bundles/x/model.onnx', a.download);
    expect(first).toBe(path.join(dir, 'cache', 'bundles', 'x', 'model.onnx'));
    expect(second).toBe(first);
    expect(a.calls.count).toBe(1);
    expect((await readFile(first)).equals(Buffer.alloc(100, 7))).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: 100, files: 1, downloads: 1, hits: 1 });
  });

  it('evicts the least recently used blobs to stay within its bound', async () => {
    const cache = cacheOf(250);
    await cache.path('e/a', source(100).download);
    clock += 100;
    await cache.path('e/b', source(100).download);
    clock += 100;
    await cache.path('e/a', source(100).download); // a is now more recent than b
    clock += 100;
    await cache.path('e/c', source(100).download);
    expect(cache.has('e/a')).toBe(true);
    expect(cache.has('e/b')).toBe(false);
    expect(cache.has('e/c')).toBe(true);
    expect(existsSync(path.join(dir, 'cache', 'e', 'b'))).toBe(false);
    expect(cache.stats()).toMatchObject({ bytes: 200, files: 2, evictions: 1 });
  });

  it('never holds more than its bound on disk over many downloads', async () => {
    const cache = cacheOf(1000);
    for (let i = 0; i < 30; i++) {
      clock += 100;
      await cache.path(`embeddings/k${i}.f16`, source(90 + i).download);
      const files = await readdir(path.join(dir, 'cache', 'embeddings'));
      let onDisk = 0;
      for (const f of files) onDisk += (await readFile(path.join(dir, 'cache', 'embeddings', f))).length;
      expect(onDisk).toBeLessThanOrEqual(1000);
      expect(cache.stats().bytes).toBe(onDisk);
    }
    expect(cache.has('embeddings/k29.f16')).toBe(true);
    expect(cache.has('embeddings/k0.f16')).toBe(false);
  });

  it('never evicts a pinned blob; releasing the pin lets it go', async () => {
    const over: number[] = [];
    const cache = new BlobCache({ dir: path.join(dir, 'cache'), maxBytes: 250, inUseGraceMs: 10, now, onOverBound: ({ bytes }) => over.push(bytes) });
    const release = cache.pin(['bundles/active/encoder.onnx']);
    await cache.path('bundles/active/encoder.onnx', source(200).download);
    clock += 100;
    await cache.path('e/x', source(100).download);
    clock += 100;
    const y = await cache.path('e/y', source(100, 9).download);
    // over the bound: the oldest is the pinned encoder, so the unpinned x goes
    expect(cache.has('bundles/active/encoder.onnx')).toBe(true);
    expect(cache.has('e/x')).toBe(false);
    // y does not fit beside the pinned encoder, but its caller is about to open the path it got
    expect((await readFile(y)).equals(Buffer.alloc(100, 9))).toBe(true);
    expect(over.length).toBeGreaterThan(0);
    release();
    clock += 100;
    await cache.evict();
    expect(cache.has('bundles/active/encoder.onnx')).toBe(false);
    expect(cache.stats().bytes).toBeLessThanOrEqual(250);
  });

  it('keeps a blob handed out moments ago, even over the bound (its caller is opening it)', async () => {
    const over: number[] = [];
    const cache = new BlobCache({ dir: path.join(dir, 'cache'), maxBytes: 150, inUseGraceMs: 1_000, now, onOverBound: ({ bytes }) => over.push(bytes) });
    const a = await cache.path('e/a', source(100).download);
    await cache.path('e/b', source(100).download);
    expect(existsSync(a)).toBe(true);
    expect(over).toEqual([200]);
    clock += 2_000;
    await cache.evict();
    expect(cache.has('e/a')).toBe(false);
    expect(cache.has('e/b')).toBe(true); // evicting the older one was enough
  });

  it('runs one download for concurrent requests of the same key', async () => {
    const cache = cacheOf(10_000);
    let calls = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const download = async (temp: string) => {
      calls++;
      await writeFile(temp, 'part');
      await gate;
      await writeFile(temp, 'complete bytes');
    };
    const requests = Array.from({ length: 5 }, () => cache.path('bundles/b/decoder.onnx', download));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // while downloading, nothing is visible under the key
    expect(existsSync(path.join(dir, 'cache', 'bundles', 'b', 'decoder.onnx'))).toBe(false);
    finish();
    const paths = await Promise.all(requests);
    expect(calls).toBe(1);
    expect(new Set(paths).size).toBe(1);
    expect(await readFile(paths[0]!, 'utf8')).toBe('complete bytes');
  });

  it('leaves nothing under the key when a download fails, and tries again next time', async () => {
    const cache = cacheOf(10_000);
    const failing = async (temp: string) => {
      await writeFile(temp, 'half');
      throw new Error('connection reset');
    };
    await expect(cache.path('e/f', failing)).rejects.toThrow('connection reset');
    expect(cache.has('e/f')).toBe(false);
    expect(existsSync(path.join(dir, 'cache', 'e', 'f'))).toBe(false);
    expect(await readdir(path.join(dir, 'cache', '.downloading'))).toEqual([]);
    const ok = source(10, 3);
    expect(await readFile(await cache.path('e/f', ok.download))).toEqual(Buffer.alloc(10, 3));
  });

  it('a restarted process finds what the last one cached (and drops its half downloads)', async () => {
    const first = cacheOf(10_000);
    await first.path('e/kept', source(40).download);
    await mkdir(path.join(dir, 'cache', '.downloading'), { recursive: true });
    await writeFile(path.join(dir, 'cache', '.downloading', 'dead.part'), 'half');
    const second = cacheOf(10_000);
    const again = source(40);
    await second.path('e/kept', again.download);
    expect(again.calls.count).toBe(0);
    expect(second.stats()).toMatchObject({ bytes: 40, files: 1 });
    expect(existsSync(path.join(dir, 'cache', '.downloading', 'dead.part'))).toBe(false);
  });

  it('a restart with a smaller bound evicts down to it', async () => {
    const first = cacheOf(10_000);
    for (let i = 0; i < 5; i++) await first.path(`e/${i}`, source(100).download);
    const second = new BlobCache({ dir: path.join(dir, 'cache'), maxBytes: 250, inUseGraceMs: 0 });
    await second.path('e/new', source(100).download);
    expect(second.stats().bytes).toBeLessThanOrEqual(250);
    expect(second.has('e/new')).toBe(true);
  });

  it('downloads again when the cached file went away under it (another process sharing the directory evicted it)', async () => {
    const api = cacheOf(150);
    const worker = cacheOf(150);
    await worker.path('e/shared', source(100, 5).download);
    // the other process indexes the directory, then evicts the file to make room for its own
    await api.path('e/shared', source(100, 5).download);
    clock += 100;
    await api.path('e/other', source(100).download);
    expect(existsSync(path.join(dir, 'cache', 'e', 'shared'))).toBe(false);
    const again = source(100, 5);
    const file = await worker.path('e/shared', again.download);
    expect(again.calls.count).toBe(1);
    expect((await readFile(file)).equals(Buffer.alloc(100, 5))).toBe(true);
  });

  it('refuses a key that would leave its directory', async () => {
    const cache = cacheOf(1000);
    await expect(cache.path('../outside', source(1).download)).rejects.toThrow();
  });
});
