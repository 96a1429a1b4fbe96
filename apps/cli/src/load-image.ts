import { access } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from '@dataengine/segment';
import { CliError } from './cli-command.types';

/** Same default as the upload limit (UPLOAD_MAX_PIXELS): decompression bombs are refused. */
export const DEFAULT_MAX_PIXELS = 120_000_000;

/**
 * Decodes an image file to 8-bit RGB (EXIF orientation applied, alpha dropped, greyscale expanded),
 * refusing files that are missing, not images, or above `maxPixels`.
 */
export async function loadRgbImage(path: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<RgbImage> {
  try {
    await access(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    throw new CliError(`${path} is not an image we can read (JPEG, PNG, WebP, TIFF, GIF, AVIF)`);
  }
  if (!meta.width || !meta.height) throw new CliError(`${path} has no image dimensions; the file is corrupt`);
  if (meta.width * meta.height > maxPixels) {
    throw new CliError(`${path} is ${meta.width}×${meta.height} (${((meta.width * meta.height) / 1e6).toFixed(1)} MP), above the limit of ${(maxPixels / 1e6).toFixed(1)} MP; pass --max-pixels to raise it`);
  }
  try {
    const { data, info } = await sharp(path, { limitInputPixels: maxPixels }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    throw new CliError(`${path} cannot be decoded (${(error as Error).message}); the file is corrupt or truncated`);
  }
}
