'use client';
// The mask being made: the decoder's chosen candidate (or the saved mask being touched up) with the
// brush strokes applied, and its overlay canvas — at the display frame's size (the image itself,
// or the model frame for large images). Recomputed only when one of those changes.
import { decodeRle, type BinaryMask } from '@dataengine/segment';
import { useMemo } from 'react';
import { markClickStage } from './latency';
import { buildOverlay, type Overlay } from './mask-overlay';
import { resampleMask, type DisplayFrame } from './lib/display-frame';
import { composeMask, CURRENT_COLOUR, maskArea, maskColour } from './lib/mask-edit';
import { labelRgb } from './lib/label-keys';
import { maskOutline } from './lib/mask-outline';
import type { MaskRow } from './lib/mask-rows';
import type { BrushStroke } from './lib/prompt-reducer';
import type { Candidate, PromptSeed } from './use-mask-prediction';

const CURRENT_ALPHA = 150;
/** Pre-filled (and automatic) masks are fainter than manual ones until the annotator has looked at them. */
const MODEL_FACTOR = 70 / 110;
const SELECTED_ALPHA = 190;
const OUTLINE_ALPHA = 235;

/** How saved masks are drawn: the fill's opacity (0–1; 0.43 is the default look), or outlines only. */
export interface SavedMaskStyle {
  opacity: number;
  outline: boolean;
}
export const DEFAULT_MASK_STYLE: SavedMaskStyle = { opacity: 0.43, outline: false };

export interface Editing {
  maskId: string;
  version: number;
  /** The saved mask at display size (what is drawn and brushed). */
  base: BinaryMask;
  /** The saved mask at the image's full size (what a brush-only fix starts from when saved). */
  full: BinaryMask;
  /** Clicks on it refine it (prompting from the mask). */
  seed: PromptSeed;
}

/** Strokes in image pixels → display pixels. */
export function strokesInFrame(strokes: readonly BrushStroke[], frame: DisplayFrame): readonly BrushStroke[] {
  if (frame.exact) return strokes;
  return strokes.map((s) => ({ ...s, radius: s.radius * frame.sx, points: s.points.map(([x, y]): [number, number] => [x * frame.sx, y * frame.sy]) }));
}

export function useCurrentMask(frame: DisplayFrame, chosen: Candidate | null, editing: Editing | null, strokes: readonly BrushStroke[]) {
  const { width, height } = frame;
  return useMemo(() => {
    const base = chosen?.mask ?? editing?.base ?? null;
    if (!base && strokes.length === 0) return { mask: null, area: 0, overlay: null };
    const mask = composeMask(base, width, height, strokesInFrame(strokes, frame));
    // the area in image pixels (estimated from the display frame for large images); a decoded
    // candidate without strokes already knows its own
    const displayArea = chosen && strokes.length === 0 ? chosen.area : maskArea(mask);
    const area = Math.round(displayArea / (frame.sx * frame.sy));
    const overlay = currentOverlay(mask);
    markClickStage('annotate:click-overlay');
    return { mask, area, overlay };
  }, [chosen, editing, strokes, frame, width, height]);
}

/** The current mask's overlay, made once per mask (masks are never mutated once made). */
const currentOverlays = new WeakMap<BinaryMask, Overlay>();

export function currentOverlay(mask: BinaryMask): Overlay {
  let overlay = currentOverlays.get(mask);
  if (!overlay) {
    overlay = buildOverlay(mask.width, mask.height, [{ mask, colour: CURRENT_COLOUR, alpha: CURRENT_ALPHA }]);
    currentOverlays.set(mask, overlay);
  }
  return overlay;
}

/** Decoded saved masks, cached by segmentation string and size (a touch-up gives a new entry). */
const decoded = new Map<string, BinaryMask>();
const DECODED_CACHE = 200;

function cached(key: string, make: () => BinaryMask): BinaryMask {
  let mask = decoded.get(key);
  if (!mask) {
    mask = make();
    decoded.set(key, mask);
    if (decoded.size > DECODED_CACHE) decoded.delete(decoded.keys().next().value!);
  }
  return mask;
}

const rowKey = (row: MaskRow) => `${row.segmentation.size.join('x')}:${row.segmentation.counts}`;

/** The saved mask at full size (decoded once per touch-up; not cached for large images). */
export function decodeRow(row: MaskRow, frame?: DisplayFrame): BinaryMask {
  if (frame && !frame.exact) return decodeRle(row.segmentation);
  return cached(rowKey(row), () => decodeRle(row.segmentation));
}

/** The saved mask at display size. */
export function displayRow(row: MaskRow, frame: DisplayFrame): BinaryMask {
  if (frame.exact) return decodeRow(row);
  return cached(`${rowKey(row)}@${frame.width}x${frame.height}`, () => resampleMask(decodeRle(row.segmentation), frame.width, frame.height));
}

/** The saved mask's border at display size (outline-only view), cached like the masks. */
function outlineRow(row: MaskRow, frame: DisplayFrame, thickness: number): BinaryMask {
  return cached(`${rowKey(row)}@${frame.width}x${frame.height}:outline${thickness}`, () => maskOutline(displayRow(row, frame), thickness));
}

/**
 * Saved masks in their list colours (`colourOf`: a row's index in the full list, so hiding some
 * keeps the others' colours); the one being edited is left out (it is the current mask).
 */
export function useSavedOverlay(frame: DisplayFrame, rows: readonly MaskRow[], selected: string | null, editingId: string | null, style: SavedMaskStyle = DEFAULT_MASK_STYLE, colourOf: (row: MaskRow, i: number) => number = (_, i) => i) {
  return useMemo(() => {
    const fill = Math.round(255 * Math.min(1, Math.max(0, style.opacity)));
    return buildOverlay(
      frame.width,
      frame.height,
      rows.flatMap((row, i) => {
        if (row.maskId !== null && row.maskId === editingId) return [];
        const isSelected = row.key === selected;
        // in a project with labels a mask has its label's colour (the class reads at a glance; unlabelled:
        // NO_LABEL's grey); in a class-agnostic one its list colour
        const colour = (row.label && labelRgb(row.label.color)) || maskColour(colourOf(row, i));
        if (style.outline) return [{ mask: outlineRow(row, frame, isSelected ? 3 : 1), colour, alpha: OUTLINE_ALPHA }];
        const alpha = isSelected ? Math.max(SELECTED_ALPHA, fill) : row.provenance === 'manual' ? fill : Math.round(fill * MODEL_FACTOR);
        return [{ mask: displayRow(row, frame), colour, alpha }];
      }),
    );
  }, [rows, selected, editingId, frame, style, colourOf]);
}
