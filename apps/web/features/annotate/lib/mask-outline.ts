// Outline-only display: the mask's border pixels (inside the mask, next to a pixel outside it or
// the image edge), so a crowded image stays readable under many masks. Pure.
import type { BinaryMask } from '@dataengine/segment';

export function maskOutline(mask: BinaryMask, thickness = 1): BinaryMask {
  const { width, height, data } = mask;
  let edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!data[i]) continue;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || !data[i - 1] || !data[i + 1] || !data[i - width] || !data[i + width]) edge[i] = 1;
    }
  }
  // thicker lines: grow the border inwards, staying inside the mask
  for (let t = 1; t < thickness; t++) {
    const grown = edge.slice();
    for (let i = 0; i < edge.length; i++) {
      if (!data[i] || edge[i]) continue;
      const x = i % width;
      if ((x > 0 && edge[i - 1]) || (x < width - 1 && edge[i + 1]) || (i >= width && edge[i - width]) || (i + width < edge.length && edge[i + width])) grown[i] = 1;
    }
    edge = grown;
  }
  return { width, height, data: edge };
}
