import sharp from 'sharp';
import type { Scene } from '../scene/scene.types';
import { writeFileAtomic } from './atomic-write';

export type SceneImageFormat = 'jpg' | 'png';

/** SA-1B images are JPEGs; 92 keeps synthetic textures crisp at a modest size. */
export const DEFAULT_JPEG_QUALITY = 92;

export interface SceneImageOptions {
  jpegQuality?: number;
}

/** Encodes the scene's RGB pixels (JPEG or PNG, via sharp). */
export async function encodeSceneImage(
  scene: Scene,
  format: SceneImageFormat,
  options: SceneImageOptions = {},
): Promise<Buffer> {
  const { width, height, rgb } = scene;
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`scene rgb has ${rgb.length} bytes but ${width}x${height}x3 needs ${width * height * 3}`);
  }
  const image = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length), { raw: { width, height, channels: 3 } });
  return format === 'png'
    ? image.png().toBuffer()
    : image.jpeg({ quality: options.jpegQuality ?? DEFAULT_JPEG_QUALITY }).toBuffer();
}

/** Writes the scene image to `path` atomically (temp file + rename). */
export async function writeSceneImage(
  scene: Scene,
  path: string,
  format: SceneImageFormat = 'jpg',
  options: SceneImageOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await encodeSceneImage(scene, format, options));
}
