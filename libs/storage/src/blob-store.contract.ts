// The behaviour every BlobStore driver shares, run against each (local disk, S3).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, BlobTooLargeError, type BlobStore } from './blob-store';
import { contentKey, InvalidBlobKeyError } from './blob-key';

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/**
 * `make` returns a fresh, empty store for each case (a new directory, or a new key prefix in the
 * bucket), and `staged` lists the driver's uncommitted staging files.
 */
export function blobStoreContract(name: string, make: () => Promise<{ store: BlobStore; staged: () => Promise<string[]> }>): void {
  describe(`${name}: BlobStore contract`, () => {
    let scratch: string;
    beforeAll(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), 'blob-contract-'));
    });
    afterAll(() => rm(scratch, { recursive: true, force: true }));

    it('puts, gets, stats, lists and deletes', async () => {
      const { store } = await make();
      await store.put('a/b/one.bin', new Uint8Array([1, 2, 3]));
      await store.put('a/two.txt', 'hello');
      await store.put('ab/other.txt', 'not under a/');
      expect([...(await store.get('a/b/one.bin'))]).toEqual([1, 2, 3]);
      const stat = await store.stat('a/two.txt');
      expect(stat?.size).toBe(5);
      expect(stat?.modifiedAt).toBeInstanceOf(Date);
      expect(await store.list('a')).toEqual(['a/b/one.bin', 'a/two.txt']);
      expect(await store.list('a/')).toEqual(['a/b/one.bin', 'a/two.txt']);
      expect(await store.list('missing')).toEqual([]);
      await store.delete('a/two.txt');
      await store.delete('a/two.txt'); // deleting twice is fine
      expect(await store.stat('a/two.txt')).toBeNull();
      await expect(store.get('a/two.txt')).rejects.toThrow(BlobNotFoundError);
      await expect(store.createReadStream('a/two.txt')).rejects.toThrow(BlobNotFoundError);
      await expect(store.localPath('a/two.txt')).rejects.toThrow(BlobNotFoundError);
    });

    it('refuses keys that could escape the store', async () => {
      const { store } = await make();
      await expect(store.put('../escape', 'x')).rejects.toThrow(InvalidBlobKeyError);
      await expect(store.get('a//b')).rejects.toThrow(InvalidBlobKeyError);
    });

    it('overwrites a key whole', async () => {
      const { store } = await make();
      await store.put('k', 'first');
      await store.put('k', 'second');
      expect((await store.get('k')).toString()).toBe('second');
    });

    it('copies files in (streamed) and exposes a local path holding their bytes', async () => {
      const { store } = await make();
      const source = path.join(scratch, `source-${Math.random()}.bin`);
      const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
      for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
      await writeFile(source, bytes);
      await store.putFile('bundles/x/model.onnx', source);
      expect((await store.stat('bundles/x/model.onnx'))?.size).toBe(bytes.length);
      const local = await store.localPath('bundles/x/model.onnx');
      expect((await readFile(local)).equals(bytes)).toBe(true);
      expect(await store.localPath('bundles/x/model.onnx')).toBe(local);
      expect((await read(await store.createReadStream('bundles/x/model.onnx'))).equals(bytes)).toBe(true);
    });

    it('reads byte ranges (inclusive, as HTTP Range)', async () => {
      const { store } = await make();
      await store.put('r.bin', 'abcdefgh');
      expect((await read(await store.createReadStream('r.bin', { start: 2, end: 4 }))).toString()).toBe('cde');
      expect((await read(await store.createReadStream('r.bin', { start: 7, end: 7 }))).toString()).toBe('h');
    });

    it('stages a stream with its sha-256, shows nothing before commit, then publishes it', async () => {
      const { store, staged: stagedFiles } = await make();
      const staged = await store.stage(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
      expect(staged.size).toBe(11);
      expect(staged.sha256).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
      expect(await readFile(staged.path, 'utf8')).toBe('hello world');
      expect(await store.list('')).toEqual([]);
      const key = contentKey('uploads', staged.sha256);
      await staged.commit(key);
      expect((await store.get(key)).toString()).toBe('hello world');
      await expect(staged.commit(key)).rejects.toThrow(/already committed/);
      expect(await stagedFiles()).toEqual([]);
    });

    it('commits the same content twice without harm (content-addressed keys)', async () => {
      const { store, staged: stagedFiles } = await make();
      const first = await store.stage(Readable.from([Buffer.from('same bytes')]));
      const key = contentKey('images', first.sha256, '.png');
      await first.commit(key);
      const before = await store.stat(key);
      const second = await store.stage(Readable.from([Buffer.from('same bytes')]));
      await second.commit(key);
      expect((await store.get(key)).toString()).toBe('same bytes');
      expect((await store.stat(key))?.size).toBe(before?.size);
      expect(await store.list('images')).toEqual([key]);
      expect(await stagedFiles()).toEqual([]);
    });

    it('stops staging past the byte limit and leaves nothing behind', async () => {
      const { store, staged: stagedFiles } = await make();
      const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
      await expect(store.stage(big, { maxBytes: 1000 })).rejects.toThrow(BlobTooLargeError);
      expect(await stagedFiles()).toEqual([]);
      expect(await store.list('')).toEqual([]);
    });

    it('discarding a staged blob leaves no file', async () => {
      const { store, staged: stagedFiles } = await make();
      const staged = await store.stage(Readable.from([Buffer.from('x')]));
      await staged.discard();
      expect(await stagedFiles()).toEqual([]);
      expect(await store.list('')).toEqual([]);
    });
  });
}
