// How the viewer colours masks: by origin (the default: what made it), by label (its class's
// colour), or one distinct colour per mask (to tell overlapping masks apart). Pure.
import type { MaskOrigin } from '@dataengine/contracts';
import type { Rgb } from './overlay';

export type ColourBy = 'origin' | 'label' | 'mask';

export const ORIGIN_COLOURS: Record<MaskOrigin, Rgb> = {
  manual: [0, 114, 178],
  prefill: [230, 159, 0],
  auto: [0, 158, 115],
  imported: [204, 121, 167],
};
const UNLABELLED: Rgb = [128, 128, 128];
const DISTINCT: readonly Rgb[] = [
  [230, 25, 75], [60, 180, 75], [67, 99, 216], [245, 130, 49], [145, 30, 180], [66, 212, 244],
  [240, 50, 230], [191, 239, 69], [70, 153, 144], [154, 99, 36], [128, 0, 0], [0, 0, 117],
];

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return UNLABELLED;
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function maskColour(by: ColourBy, mask: { origin: MaskOrigin; label: { color: string } | null }, index: number): Rgb {
  if (by === 'label') return mask.label ? hexToRgb(mask.label.color) : UNLABELLED;
  if (by === 'mask') return DISTINCT[index % DISTINCT.length]!;
  return ORIGIN_COLOURS[mask.origin];
}

export const rgbCss = ([r, g, b]: Rgb) => `rgb(${r} ${g} ${b})`;
