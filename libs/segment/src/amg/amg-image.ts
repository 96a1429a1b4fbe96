import type { RgbImage } from '../pipeline/index';
import type { CropBoxXyxy } from './crop-boxes';

/** Copies `image[y0:y1, x0:x1]` (upstream `image[y0:y1, x0:x1, :]`); returns the image itself for the full box. */
export function sliceImage(image: RgbImage, box: CropBoxXyxy): RgbImage {
  const [x0, y0, x1, y1] = box;
  if (x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height) return image;
  const c = image.channels;
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * image.width + x0) * c;
    data.set(image.data.subarray(src, src + w * c), y * w * c);
  }
  return { width: w, height: h, channels: c, data };
}

/** Checks the image shape; throws a RangeError naming what is wrong. */
export function assertAmgImage(image: RgbImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`AMG image must have positive integer width/height, got ${width}x${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new RangeError(`AMG image must have 3 or 4 channels, got ${String(channels)}`);
  if (data.length !== width * height * channels) {
    throw new RangeError(`AMG image data has ${data.length} bytes but ${width}x${height}x${channels} needs ${width * height * channels}`);
  }
}
