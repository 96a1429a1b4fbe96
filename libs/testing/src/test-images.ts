import sharp from 'sharp';
import { generateScene } from '@dataengine/synth';

/** Encoded bytes of a synthetic scene (the same generator that feeds the demo and training). */
export async function syntheticImageBytes(
  options: { seed?: number; width?: number; height?: number; format?: 'jpeg' | 'png' | 'webp' } = {},
): Promise<Buffer> {
  const width = options.width ?? 320;
  const height = options.height ?? 240;
  const scene = generateScene({ seed: options.seed ?? 1, width, height });
  const image = sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), { raw: { width, height, channels: 3 } });
  const format = options.format ?? 'jpeg';
  return format === 'png' ? image.png().toBuffer() : format === 'webp' ? image.webp().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** A flat image of the given size, cheap to encode even when huge (for pixel-limit tests). */
export function flatImageBytes(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } });
  return format === 'png' ? image.png({ compressionLevel: 9 }).toBuffer() : image.jpeg().toBuffer();
}
