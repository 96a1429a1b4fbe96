'use client';
// Runs the decoder in the worker whenever the clicks or the box change. A refinement click (the
// previous prompts plus new points) feeds back the shown candidate's low-res logits as the mask
// prompt (SAM-SPEC.md §1.2, §6.2); one click or a box alone asks for the three candidates.
import type { BinaryMask, BoxXyxy, SamPoint } from '@dataengine/segment';
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useEffect, useRef, useState } from 'react';
import { timeDecode } from './latency';
import { isAmbiguous } from './lib/prompt-reducer';
import type { WorkerEmbedding } from './use-image-embedding';

export interface Candidate {
  channel: number;
  mask: BinaryMask;
  area: number;
  predictedIou: number;
  stabilityScore: number;
  lowResLogits: Float32Array;
}

interface Decoded {
  points: readonly SamPoint[];
  box: BoxXyxy | null;
  candidates: Candidate[];
}

/** `prev` + more points, same box: the previous mask is a good prior for the new one. */
function isRefinement(prev: Decoded | null, points: readonly SamPoint[], box: BoxXyxy | null): prev is Decoded {
  if (!prev || prev.box !== box || points.length <= prev.points.length) return false;
  return prev.points.every((p, i) => p === points[i]);
}

export function useMaskPrediction(client: SamWorkerClient | null, embedding: WorkerEmbedding | null, points: readonly SamPoint[], box: BoxXyxy | null, candidate: number) {
  const [decoded, setDecoded] = useState<Decoded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const latest = useRef<Decoded | null>(null);
  const shown = useRef(candidate);
  shown.current = candidate;

  const embeddingId = embedding?.embeddingId;
  useEffect(() => {
    const gen = ++generation.current;
    if (!client || !embeddingId || (points.length === 0 && !box)) {
      latest.current = null;
      setDecoded(null);
      return;
    }
    const prev = latest.current;
    const maskInput = isRefinement(prev, points, box) ? (prev.candidates[shown.current] ?? prev.candidates[0])?.lowResLogits : undefined;
    const multimask = isAmbiguous({ points: [...points], box, strokes: [] });
    timeDecode(client.decode(embeddingId, { points, box, maskInput: maskInput ?? null }, { multimask }))
      .then((result) => {
        if (gen !== generation.current) return; // a newer prompt is on its way
        const candidates = result.masks.map((m): Candidate => ({ channel: m.channel, mask: m.mask, area: m.area, predictedIou: m.predictedIou, stabilityScore: m.stabilityScore, lowResLogits: m.lowResLogits }));
        candidates.sort((a, b) => b.predictedIou - a.predictedIou);
        const next = { points, box, candidates };
        latest.current = next;
        setDecoded(next);
        setError(null);
      })
      .catch((e: Error) => gen === generation.current && setError(`the decoder failed: ${e.message}`));
  }, [client, embeddingId, points, box]);

  const prompted = points.length > 0 || box !== null;
  const fresh = decoded !== null && decoded.points === points && decoded.box === box;
  // while a refinement decodes, the previous mask stays on screen (no flicker)
  return { candidates: prompted ? (decoded?.candidates ?? null) : null, pending: prompted && !fresh, error };
}
