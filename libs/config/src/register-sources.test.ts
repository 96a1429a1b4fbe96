import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';
import { parseRegisterSources, sourcesOverlappingStore, withinRegisterSources } from './register-sources';

describe('REGISTER_SOURCES', () => {
  it('reads s3://bucket[/prefix] entries and names the ones it cannot', () => {
    expect(parseRegisterSources(' s3://sa1b-raw/batch_00/ , s3://photos ,, http://x/y, s3://Bad_Bucket/a')).toEqual({
      good: [
        { bucket: 'sa1b-raw', prefix: 'batch_00/' },
        { bucket: 'photos', prefix: '' },
      ],
      bad: ['http://x/y', 's3://Bad_Bucket/a'],
    });
  });

  it('admits a key or a prefix only inside a source', () => {
    const sources = [{ bucket: 'sa1b-raw', prefix: 'batch_00/' }];
    expect(withinRegisterSources(sources, 'sa1b-raw', 'batch_00/sa_1.jpg')).toBe(true);
    expect(withinRegisterSources(sources, 'sa1b-raw', 'batch_00/')).toBe(true);
    expect(withinRegisterSources(sources, 'sa1b-raw', 'batch_01/sa_1.jpg')).toBe(false);
    expect(withinRegisterSources(sources, 'other', 'batch_00/sa_1.jpg')).toBe(false);
    expect(withinRegisterSources([], 'sa1b-raw', 'batch_00/sa_1.jpg')).toBe(false);
  });

  it('finds sources that reach the store\'s own keys', () => {
    const sources = parseRegisterSources('s3://data/datasets/,s3://data/,s3://data/store/images/,s3://other/').good;
    // the store at the bucket's root: anything in its bucket reaches it
    expect(sourcesOverlappingStore(sources, { bucket: 'data' }).map((s) => s.prefix)).toEqual(['datasets/', '', 'store/images/']);
    // the store under store/: only sources containing or inside it
    expect(sourcesOverlappingStore(sources, { bucket: 'data', prefix: 'store' }).map((s) => s.prefix)).toEqual(['', 'store/images/']);
  });

  it('are checked when the configuration loads, every problem named', () => {
    const config = loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'data', S3_PREFIX: 'store', REGISTER_SOURCES: 's3://data/datasets/,s3://raw' });
    expect(config.registerSources).toEqual([
      { bucket: 'data', prefix: 'datasets/' },
      { bucket: 'raw', prefix: '' },
    ]);
    expect(loadConfig({}).registerSources).toEqual([]);
    expect(() => loadConfig({ BLOB_STORE: 's3', S3_BUCKET: 'data', REGISTER_SOURCES: 's3://data/datasets/,ftp://x' })).toThrow(
      /REGISTER_SOURCES: "ftp:\/\/x" is not s3:\/\/bucket\[\/prefix\][\s\S]*REGISTER_SOURCES: s3:\/\/data\/datasets\/ reaches the blob store's own keys/,
    );
  });
});
