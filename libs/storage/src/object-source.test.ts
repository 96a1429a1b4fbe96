import { describe, expect, it } from 'vitest';
import { InvalidBlobKeyError } from './blob-key';
import { listPages, parseSourceBlobKey, sourceBlobKey, type SourcePage } from './object-source';

/** A listing of `keys` served `pageSize` at a time, with opaque tokens, recording every request. */
function fakeListing(keys: string[], pageSize: number) {
  const requests: (string | null)[] = [];
  const tokenOf = (offset: number) => Buffer.from(`after:${keys[offset - 1]}`).toString('base64');
  const fetchPage = async (token: string | null): Promise<SourcePage> => {
    requests.push(token);
    const offset = token === null ? 0 : keys.indexOf(Buffer.from(token, 'base64').toString().slice('after:'.length)) + 1;
    const end = Math.min(keys.length, offset + pageSize);
    return { objects: keys.slice(offset, end).map((key) => ({ key, size: 1 })), nextToken: end < keys.length ? tokenOf(end) : null };
  };
  return { fetchPage, requests, tokenOf };
}

const keys = Array.from({ length: 2_500 }, (_, i) => `data/img-${String(i).padStart(5, '0')}.jpg`);

describe('listPages', () => {
  it('walks every page once, passing each continuation token on, and ends on the page without one', async () => {
    const listing = fakeListing(keys, 1_000);
    const seen: string[] = [];
    const sizes: number[] = [];
    for await (const page of listPages(listing.fetchPage)) {
      sizes.push(page.objects.length);
      seen.push(...page.objects.map((o) => o.key));
    }
    expect(sizes).toEqual([1_000, 1_000, 500]);
    expect(seen).toEqual(keys);
    expect(listing.requests).toEqual([null, listing.tokenOf(1_000), listing.tokenOf(2_000)]);
  });

  it('resumes from a recorded token without listing the pages before it again', async () => {
    const listing = fakeListing(keys, 1_000);
    const seen: string[] = [];
    for await (const page of listPages(listing.fetchPage, listing.tokenOf(2_000))) seen.push(...page.objects.map((o) => o.key));
    expect(seen).toEqual(keys.slice(2_000));
    expect(listing.requests).toHaveLength(1);
  });

  it('stops with an error when the server ignores the token and hands the same one back', async () => {
    const stuck = async (): Promise<SourcePage> => ({ objects: [{ key: 'a.jpg', size: 1 }], nextToken: 'same' });
    const pages: SourcePage[] = [];
    await expect(async () => {
      for await (const page of listPages(stuck)) pages.push(page);
    }).rejects.toThrow(/returned the continuation token "same" twice/);
    expect(pages).toHaveLength(2);
  });

  it('is lazy: a consumer that stops early fetches no further page', async () => {
    const listing = fakeListing(keys, 100);
    for await (const page of listPages(listing.fetchPage)) if (page.objects.length) break;
    expect(listing.requests).toEqual([null]);
  });
});

describe('source blob keys', () => {
  it('name a bucket and key in place and read back', () => {
    const key = sourceBlobKey('sa1b-raw', 'batch_00/sa_1.jpg');
    expect(key).toBe('sources/sa1b-raw/batch_00/sa_1.jpg');
    expect(parseSourceBlobKey(key)).toEqual({ bucket: 'sa1b-raw', key: 'batch_00/sa_1.jpg' });
    expect(parseSourceBlobKey('images/ab/cd/abcd.jpg')).toBeNull();
  });

  it('refuse bucket names and keys they cannot name', () => {
    expect(() => sourceBlobKey('Bad_Bucket', 'a.jpg')).toThrow(InvalidBlobKeyError);
    expect(() => sourceBlobKey('data', 'my photos/a.jpg')).toThrow(/^the key's part "my photos" cannot name an in-place image/);
    expect(() => sourceBlobKey('data', '../a.jpg')).toThrow(InvalidBlobKeyError);
    // the download cache puts its ETag directory in front: a key must leave room for it
    expect(() => sourceBlobKey('data', `${'a'.repeat(440)}.jpg`)).toThrow(/^the key is longer than 435 characters/);
    expect(sourceBlobKey('data', `${'a'.repeat(431)}.jpg`)).toHaveLength(448);
  });
});
