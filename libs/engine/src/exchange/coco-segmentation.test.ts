import { describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { compressRle, decodeRle, encodeMask, rleArea, type BinaryMask } from '@dataengine/segment';
import { cocoSegmentationToRle, rleToCocoPolygons } from './coco-segmentation';
import { cocoImageIdOf, readCocoImages, readSa1bDocument } from './import-records';

function maskFromRows(rows: string[]): BinaryMask {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8Array(height * width);
  rows.forEach((row, y) => [...row].forEach((c, x) => (data[y * width + x] = c === '1' ? 1 : 0)));
  return { height, width, data };
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Random blobs with holes and islands: a few discs, some punched out again. */
function blobMask(rand: () => number, height: number, width: number): BinaryMask {
  const data = new Uint8Array(height * width);
  for (let k = 0; k < 6; k++) {
    const cx = rand() * width;
    const cy = rand() * height;
    const r = 2 + rand() * Math.min(width, height) * 0.25;
    const value = k % 3 === 2 ? 0 : 1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r) data[y * width + x] = value;
  }
  return { height, width, data };
}

const image = (m: BinaryMask) => ({ width: m.width, height: m.height });
const rleOf = (m: BinaryMask) => compressRle(encodeMask(m));

describe('COCO polygons with our hole rings', () => {
  it('round-trips masks with holes, islands and an island inside a hole bit for bit at tolerance 0', () => {
    const m = maskFromRows(['0000000000', '0111111110', '0100000010', '0101110010', '0101010010', '0101110010', '0100000010', '0111111110', '0000000000', '0000000001']);
    const rle = rleOf(m);
    const { outer, holes } = rleToCocoPolygons(rle, 0);
    expect(outer).toHaveLength(3); // frame, island inside the hole, corner pixel
    expect(holes).toHaveLength(2);
    expect(cocoSegmentationToRle(outer, holes, image(m))).toEqual(rle);
    const rand = seeded(5);
    for (let t = 0; t < 60; t++) {
      const b = blobMask(rand, 20 + Math.floor(rand() * 40), 20 + Math.floor(rand() * 40));
      if (rleArea(rleOf(b)) === 0) continue;
      const p = rleToCocoPolygons(rleOf(b), 0);
      expect(cocoSegmentationToRle(p.outer, p.holes, image(b))).toEqual(rleOf(b));
    }
  });

  it('reads polygons without hole rings the way COCO does: each ring filled, then unioned', () => {
    const donut = maskFromRows(['11111', '10001', '10101', '10001', '11111']);
    const { outer } = rleToCocoPolygons(rleOf(donut), 0);
    const filled = decodeRle(cocoSegmentationToRle(outer, undefined, image(donut)));
    // the hole is lost, the island inside it stays (union, not even-odd)
    expect(Array.from(filled.data).every((v) => v === 1)).toBe(true);
  });

  it('clips polygons to the image', () => {
    const rle = cocoSegmentationToRle([[-5, -5, 3, -5, 3, 2, -5, 2]], undefined, { width: 4, height: 4 });
    expect(rleArea(rle)).toBe(6);
  });
});

describe('COCO segmentation shapes', () => {
  const m = maskFromRows(['0110', '0110', '0000']);
  it('accepts compressed and uncompressed RLE', () => {
    const compressed = rleOf(m);
    expect(cocoSegmentationToRle(compressed, undefined, image(m))).toEqual(compressed);
    expect(cocoSegmentationToRle(encodeMask(m), undefined, image(m))).toEqual(compressed);
  });
  it('refuses malformed input with a message that says what is wrong', () => {
    const bad = (seg: unknown) => {
      try {
        cocoSegmentationToRle(seg, undefined, image(m));
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return (error as AppError).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ size: [3, 4], counts: [1, 2, 3] })).toMatch(/counts sum to 6 but size \[3,4\] needs 12/);
    expect(bad({ size: [3, 4], counts: '\u0001\u0002' })).toMatch(/malformed segmentation/);
    expect(bad([[0, 0, 1]])).toMatch(/at least 3 points/);
    expect(bad('mask')).toMatch(/expected an RLE object/);
  });
});

describe('reading COCO and SA-1B documents', () => {
  it('reads a COCO images list in file order, indexed by id', () => {
    const { images, indexById } = readCocoImages({
      images: [{ id: 1, file_name: 'a.jpg', width: 4, height: 3 }, { id: 'b', width: 2.5 }],
      image: undefined,
      annotations: 'array',
    });
    expect(images[0]).toMatchObject({ fileName: 'a.jpg', width: 4, height: 3, sha256: null, ref: '"a.jpg"' });
    expect(images[1]).toMatchObject({ fileName: null, width: null, ref: 'image id b' });
    expect([...indexById]).toEqual([['1', 0], ['b', 1]]);
    expect(cocoImageIdOf({ id: 10, image_id: 1 })).toBe('1');
    expect(cocoImageIdOf(7)).toBeUndefined();
  });
  it('tells the two formats apart and says which one to use', () => {
    const sa1b = { image: { image_id: 1, width: 4, height: 3, file_name: 'sa_1.jpg' }, annotations: [] };
    expect(() => readCocoImages({ images: undefined, image: sa1b.image, annotations: 'array' })).toThrow(/format=sa1b/);
    expect(() => readSa1bDocument({ images: [], annotations: [] }, 'x.json')).toThrow(/format=coco/);
    expect(readSa1bDocument(sa1b, 'x.json').image).toMatchObject({ fileName: 'sa_1.jpg', width: 4, height: 3 });
    expect(() => readCocoImages({ images: [{ file_name: 'a.jpg' }], image: undefined, annotations: 'array' })).toThrow(/images\[0\] of the COCO file has no id/);
    expect(() => readCocoImages({ images: [], image: undefined, annotations: 'not-array' })).toThrow(/needs an "images" list and an "annotations" list/);
    expect(() => readCocoImages({ images: [{ id: 1 }, { id: '1' }], image: undefined, annotations: 'array' })).toThrow(/lists image id 1 twice/);
  });
});
