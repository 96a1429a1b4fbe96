'use client';
// The mask being made: the decoder's chosen candidate (or the saved mask being touched up) with the
// brush strokes applied, and its overlay canvas. Recomputed only when one of those changes.
import { decodeRle, type BinaryMask } from '@dataengine/segment';
import { useMemo } from 'react';
import { buildOverlay } from './mask-overlay';
import { composeMask, CURRENT_COLOUR, maskArea, maskColour } from './lib/mask-edit';
import type { MaskRow } from './lib/mask-rows';
import type { BrushStroke } from './lib/prompt-reducer';
import type { Candidate } from './use-mask-prediction';

const CURRENT_ALPHA = 150;
const SAVED_ALPHA = 110;
const SELECTED_ALPHA = 190;

export interface Editing {
  maskId: string;
  version: number;
  base: BinaryMask;
}

export function useCurrentMask(width: number, height: number, chosen: Candidate | null, editing: Editing | null, strokes: readonly BrushStroke[]) {
  return useMemo(() => {
    const base = chosen?.mask ?? editing?.base ?? null;
    if (!base && strokes.length === 0) return { mask: null, area: 0, overlay: null };
    const mask = composeMask(base, width, height, strokes);
    return { mask, area: maskArea(mask), overlay: buildOverlay(width, height, [{ mask, colour: CURRENT_COLOUR, alpha: CURRENT_ALPHA }]) };
  }, [chosen, editing, strokes, width, height]);
}

/** Decoded saved masks, cached by segmentation string (a touch-up gives a new entry). */
const decoded = new Map<string, BinaryMask>();
const DECODED_CACHE = 500;

export function decodeRow(row: MaskRow): BinaryMask {
  const key = `${row.segmentation.size.join('x')}:${row.segmentation.counts}`;
  let mask = decoded.get(key);
  if (!mask) {
    mask = decodeRle(row.segmentation);
    decoded.set(key, mask);
    if (decoded.size > DECODED_CACHE) decoded.delete(decoded.keys().next().value!);
  }
  return mask;
}

/** All saved masks in their list colours; the one being edited is left out (it is the current mask). */
export function useSavedOverlay(width: number, height: number, rows: readonly MaskRow[], selected: string | null, editingId: string | null) {
  return useMemo(
    () =>
      buildOverlay(
        width,
        height,
        rows.flatMap((row, i) => (row.maskId !== null && row.maskId === editingId ? [] : [{ mask: decodeRow(row), colour: maskColour(i), alpha: row.key === selected ? SELECTED_ALPHA : SAVED_ALPHA }])),
      ),
    [rows, selected, editingId, width, height],
  );
}
