// Decides what an uploaded file really is from its first bytes (never from its name or the
// Content-Type header), and validates that it decodes within the pixel limit.
import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '@dataengine/contracts';

export interface ImageFormat {
  mime: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/tiff';
  ext: '.jpg' | '.png' | '.webp' | '.tif';
}

const SIGNATURES: { format: ImageFormat; test: (b: Buffer) => boolean }[] = [
  { format: { mime: 'image/jpeg', ext: '.jpg' }, test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { format: { mime: 'image/png', ext: '.png' }, test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { format: { mime: 'image/webp', ext: '.webp' }, test: (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP' },
  { format: { mime: 'image/tiff', ext: '.tif' }, test: (b) => ['49492a00', '4d4d002a'].includes(b.subarray(0, 4).toString('hex')) },
];

export const ACCEPTED_FORMATS = 'JPEG, PNG, WebP or TIFF';

export async function sniffImageFormat(path: string): Promise<ImageFormat> {
  const handle = await open(path, 'r');
  const head = Buffer.alloc(16);
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const match = SIGNATURES.find((s) => s.test(head));
  if (!match) {
    // the user's words in the message; what a developer wants to see behind "details"
    const printable = head.subarray(0, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `this file is not an image we can read; upload ${ACCEPTED_FORMATS}`, { detail: `it starts with the bytes ${head.subarray(0, 8).toString('hex')} ("${printable}"), which no accepted format does` });
  }
  return match.format;
}

export interface DecodedImageInfo {
  /** Displayed size, after EXIF orientation. */
  width: number;
  height: number;
}

/** Reads the header, applies the pixel limit, then decodes the whole image to prove it is intact. */
export async function validateImageFile(path: string, maxPixels: number): Promise<DecodedImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new AppError('UNPROCESSABLE', `this file is damaged or not an image we can read; upload ${ACCEPTED_FORMATS}`, { detail: `reading the image header failed: ${(error as Error).message}` });
  }
  if (!meta.width || !meta.height) throw new AppError('UNPROCESSABLE', 'this image is damaged (it says it has no size); export it again from the original and upload that', { detail: 'the header gives no width or height' });
  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    const mp = (n: number) => `${(n / 1e6).toFixed(n < 1e6 ? 2 : 1)} MP`;
    throw new AppError(
      'UNPROCESSABLE',
      `the image is ${meta.width}×${meta.height} (${mp(pixels)}), above the limit of ${mp(maxPixels)}; downscale it or ask ops to raise UPLOAD_MAX_PIXELS`,
      { width: meta.width, height: meta.height, maxPixels },
    );
  }
  try {
    // Full decode (shrink-on-load keeps it cheap); truncated or damaged data fails here.
    await sharp(path, { failOn: 'truncated', limitInputPixels: maxPixels, sequentialRead: true })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new AppError('UNPROCESSABLE', 'this image is damaged or truncated (cut short); export it again from the original and upload that', { detail: `decoding failed: ${(error as Error).message}` });
  }
  const swapped = (meta.orientation ?? 1) >= 5;
  return { width: swapped ? meta.height : meta.width, height: swapped ? meta.width : meta.height };
}
