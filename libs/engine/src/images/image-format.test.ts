import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { sniffImageFormat, validateImageFile } from './image-format';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sniff-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, bytes);
  return p;
}
const img = (format: 'png' | 'jpeg' | 'webp' | 'tiff', w = 40, h = 30) =>
  sharp({ create: { width: w, height: h, channels: 3, background: '#3366aa' } }).toFormat(format).toBuffer();

describe('sniffImageFormat', () => {
  it.each([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['tiff', 'image/tiff'],
  ] as const)('recognises %s from its bytes whatever the file name', async (format, mime) => {
    expect((await sniffImageFormat(await file(`x-${format}.txt`, await img(format)))).mime).toBe(mime);
  });

  it('refuses other files with 415 and the accepted formats', async () => {
    const error = await sniffImageFormat(await file('a.png', 'GIF89a not really')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((error as AppError).message).toContain('JPEG, PNG, WebP or TIFF');
  });
});

describe('validateImageFile', () => {
  it('returns the displayed size, honouring EXIF rotation', async () => {
    const rotated = await sharp(await img('jpeg', 40, 30)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await validateImageFile(await file('r.jpg', rotated), 1e6)).toEqual({ width: 30, height: 40 });
  });

  it('refuses truncated data and images over the pixel limit', async () => {
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    await expect(validateImageFile(await file('cut.png', png.subarray(0, png.length >> 1)), 1e6)).rejects.toThrow(/damaged or truncated/);
    await expect(validateImageFile(await file('big.png', png), 50_000)).rejects.toThrow(/300×300 \(0\.09 MP\), above the limit of 0\.05 MP/);
  });
});
