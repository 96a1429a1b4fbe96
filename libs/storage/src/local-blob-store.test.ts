import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobStoreContract } from './blob-store.contract';
import { assertValidBlobKey, BlobNotFoundError, BlobTooLargeError, contentKey, InvalidBlobKeyError, LocalBlobStore } from './index';

let dir: string;
let store: LocalBlobStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  store = new LocalBlobStore(path.join(dir, 'root'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('blob keys', () => {
  it.each(['../x', 'a/../../etc/passwd', '/abs', 'a//b', 'a/./b', 'a\\b', 'a/b/', '', '.hidden', 'a/\0b', 'x/..'])('refuses %j', (key) => {
    expect(() => assertValidBlobKey(key)).toThrow(InvalidBlobKeyError);
  });
  it('accepts nested keys and builds content keys', () => {
    expect(() => assertValidBlobKey('images/ab/cd/file.jpg')).not.toThrow();
    const hash = 'a'.repeat(64);
    expect(contentKey('images', hash, '.png')).toBe(`images/aa/aa/${hash}.png`);
    expect(() => contentKey('images', 'nothex')).toThrow(InvalidBlobKeyError);
  });
  it('never touches the disk outside its root for a traversal key', async () => {
    await expect(store.put('../escape', 'x')).rejects.toThrow(InvalidBlobKeyError);
    expect(await readdir(dir)).not.toContain('escape');
  });
});

describe('LocalBlobStore', () => {
  it('puts, gets, stats, lists and deletes', async () => {
    await store.put('a/b/one.bin', new Uint8Array([1, 2, 3]));
    await store.put('a/two.txt', 'hello');
    expect([...(await store.get('a/b/one.bin'))]).toEqual([1, 2, 3]);
    expect((await store.stat('a/two.txt'))?.size).toBe(5);
    expect(await store.list('a')).toEqual(['a/b/one.bin', 'a/two.txt']);
    await store.delete('a/two.txt');
    expect(await store.stat('a/two.txt')).toBeNull();
    await expect(store.get('a/two.txt')).rejects.toThrow(BlobNotFoundError);
  });

  it('copies files in atomically and exposes their local path', async () => {
    const source = path.join(dir, 'source.bin');
    await (await import('node:fs/promises')).writeFile(source, 'model bytes');
    await store.putFile('bundles/x/model.onnx', source);
    const local = await store.localPath('bundles/x/model.onnx');
    expect(await readFile(local, 'utf8')).toBe('model bytes');
    await expect(store.localPath('bundles/x/missing.onnx')).rejects.toThrow(BlobNotFoundError);
  });

  it('reads byte ranges', async () => {
    await store.put('r.bin', 'abcdefgh');
    const stream = await store.createReadStream('r.bin', { start: 2, end: 4 });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('cde');
  });

  it('stages a stream with its sha-256 and commits it atomically', async () => {
    const staged = await store.stage(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(staged.size).toBe(11);
    expect(staged.sha256).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
    expect(await store.list('')).toEqual([]); // nothing visible before commit
    await staged.commit(contentKey('uploads', staged.sha256));
    expect((await store.get(contentKey('uploads', staged.sha256))).toString()).toBe('hello world');
  });

  it('stops staging past the byte limit and leaves nothing behind', async () => {
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(store.stage(big, { maxBytes: 1000 })).rejects.toThrow(BlobTooLargeError);
    expect(await readdir(path.join(dir, 'root', '.staging'))).toEqual([]);
  });

  it('discarded staging leaves no file, and overwriting keeps readers whole', async () => {
    const staged = await store.stage(Readable.from([Buffer.from('x')]));
    await staged.discard();
    expect(await readdir(path.join(dir, 'root', '.staging'))).toEqual([]);
    await store.put('k', 'first');
    await store.put('k', 'second');
    expect(await readFile(path.join(dir, 'root', 'k'), 'utf8')).toBe('second');
  });
});

blobStoreContract('LocalBlobStore', async () => {
  const root = path.join(dir, `contract-${Math.random().toString(36).slice(2)}`);
  return {
    store: new LocalBlobStore(root),
    staged: async () => readdir(path.join(root, '.staging')).catch(() => []),
  };
});
