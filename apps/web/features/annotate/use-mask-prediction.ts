'use client';
// Runs the decoder in the worker whenever the clicks or the box change. A refinement click (the
// previous prompts plus new points) feeds back the shown candidate's low-res logits as the mask
// prompt (SAM-SPEC.md §1.2, §6.2); one click or a box alone asks for the three candidates. Fixing a
// saved mask starts from it (its low-res form as mask_input, and its box), so clicks refine it.
// Aiming: when the pointer rests on the image, the decode of "a positive click here" starts before
// the click (`aim`); the click then finds its masks ready (or on their way) instead of asking anew.
// In a focus view (focus-region.ts) the decode runs in the region's frame on its own embedding, and
// the masks are pasted into the image's display frame; everything past this hook sees that frame.
import { pasteMask, type BinaryMask, type BoxXyxy, type FocusRegion, type PredictedMask, type SamPoint } from '@dataengine/segment';
import type { SamWorkerClient } from '@dataengine/segment/web';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { AIM, AIMED_HIT, markClickStage, timeDecode } from './latency';
import { currentOverlay } from './use-current-mask';
import { toDisplayBox, toDisplayPoint, type DisplayFrame } from './lib/display-frame';
import type { ScreenCandidate } from './lib/draft-mask';
import { isAmbiguous } from './lib/prompt-reducer';
import type { WorkerEmbedding } from './use-image-embedding';

export type Candidate = ScreenCandidate;

export interface Decoded {
  points: readonly SamPoint[];
  box: BoxXyxy | null;
  candidates: Candidate[];
  /** the embedding the candidates were decoded on (their logits are in its frame); null for a restored draft (the image's frame) */
  embeddingId?: string | null;
}

/** `prev` + more points, same box, same embedding: the previous mask is a good prior for the new one. */
function isRefinement(prev: Decoded | null, points: readonly SamPoint[], box: BoxXyxy | null, embeddingId: string | undefined, focused: boolean): prev is Decoded {
  if (!prev || prev.box !== box || points.length <= prev.points.length) return false;
  // a restored draft's logits are in the image's frame; a focus view's in its region's
  if (prev.embeddingId ? prev.embeddingId !== embeddingId : focused) return false;
  return prev.points.every((p, i) => p === points[i]);
}

/** A saved mask being fixed by prompting from it: its box and low-res form start the decode. */
export interface PromptSeed {
  box: BoxXyxy;
  maskInput: Float32Array;
}

type DecodeCall = ReturnType<SamWorkerClient['decode']>;
type DecodeResult = Awaited<DecodeCall>;

/** Identity of a mask-input array (the object, not its values), for decode keys. */
const arrayIds = new WeakMap<Float32Array, number>();
let lastArrayId = 0;
function arrayId(a: Float32Array | null | undefined): number {
  if (!a) return 0;
  let id = arrayIds.get(a);
  if (id === undefined) arrayIds.set(a, (id = ++lastArrayId));
  return id;
}

/** Aimed decodes kept (the newest few: the pointer rests on one object at a time; positive and negative). */
const AIMED_KEEP = 4;

/** Each decode's masks as shown, made once (an aimed decode's pasted mask is the one its click shows: its overlay is ready). */
const screenOf = new WeakMap<readonly PredictedMask[], Candidate[]>();

/** The decoder's masks as the tool shows them: in the display frame (pasted there from a focus region). */
function screenCandidates(masks: readonly PredictedMask[], frame: DisplayFrame, display: DisplayFrame, region: FocusRegion | null): Candidate[] {
  const known = screenOf.get(masks);
  if (known) return known;
  const made = masks.map((m): Candidate => {
    const scores = { channel: m.channel, predictedIou: m.predictedIou, stabilityScore: m.stabilityScore, lowResLogits: m.lowResLogits };
    if (!region) return { ...scores, mask: m.mask, area: m.area };
    const pasted = pasteMask(m.mask, frame, display);
    return { ...scores, mask: pasted.mask, area: pasted.area, focus: { region, mask: m.mask, lowResLogits: m.lowResLogits } };
  });
  screenOf.set(masks, made);
  return made;
}

/**
 * Points and box in image pixels; decoded in `frame` on `embedding` — the image's display frame
 * (display-frame.ts), or a focus `region`'s frame — and shown in `display`.
 */
export function useMaskPrediction(
  client: SamWorkerClient | null,
  embedding: WorkerEmbedding | null,
  frame: DisplayFrame,
  display: DisplayFrame,
  region: FocusRegion | null,
  points: readonly SamPoint[],
  box: BoxXyxy | null,
  candidate: number,
  seed: PromptSeed | null = null,
  /** the masks a restored draft had on screen, for exactly these prompts: shown as they were, not decoded again */
  restored: Decoded | null = null,
) {
  const [decoded, setDecoded] = useState<Decoded | null>(restored);
  const [error, setError] = useState<string | null>(null);
  const generation = useRef(0);
  const latest = useRef<Decoded | null>(restored);
  const kept = useRef(restored);
  // the candidate on screen: a click resets the index to 0 in the same render that asks for the
  // refinement, so the index is taken only while the shown masks belong to the current prompts
  const shown = useRef(candidate);
  if (decoded !== null && decoded.points === points && decoded.box === box) shown.current = candidate;

  const embeddingId = embedding?.embeddingId;
  const aimed = useRef(new Map<string, DecodeCall>());
  /** aimed decodes that have finished, with their answers (a click on one shows it in the click's own frame) */
  const settled = useRef(new WeakMap<DecodeCall, DecodeResult>());

  /** The decode request for these prompts, as the effect below would make it; `key` names it exactly. */
  const request = useCallback(
    (pts: readonly SamPoint[], bx: BoxXyxy | null) => {
      const prev = latest.current;
      const maskInput = isRefinement(prev, pts, bx, embeddingId, region !== null) ? (prev.candidates[shown.current] ?? prev.candidates[0])?.lowResLogits : seed?.maskInput;
      // one click on a saved mask is not ambiguous: the mask says which object is meant
      const multimask = !seed && isAmbiguous({ points: [...pts], box: bx, strokes: [] });
      const promptBox = bx ?? seed?.box ?? null;
      const prompt = {
        points: pts.map((p) => {
          const [x, y] = toDisplayPoint(frame, p.x, p.y);
          return { x, y, label: p.label };
        }),
        box: promptBox && toDisplayBox(frame, promptBox),
        maskInput: maskInput ?? null,
      };
      const key = JSON.stringify([embeddingId, prompt.points, prompt.box, arrayId(maskInput), multimask]);
      return { prompt, multimask, key };
    },
    [embeddingId, frame, seed, region],
  );

  // a layout effect: a click whose aimed decode has finished gets its masks in the same commit, so
  // the frame the click lands in draws them (a passive effect's update would wait a frame or more)
  useLayoutEffect(() => {
    const gen = ++generation.current;
    // the restored draft's masks stay until the prompts change (the next click refines from them)
    if (kept.current && latest.current === kept.current && kept.current.points === points && kept.current.box === box) return;
    kept.current = null;
    if (!client || !embeddingId || (points.length === 0 && !box)) {
      latest.current = null;
      setDecoded(null);
      return;
    }
    const { prompt, multimask, key } = request(points, box);
    const early = aimed.current.get(key);
    if (early) performance.mark(AIMED_HIT);
    aimed.current.clear();
    const show = (result: DecodeResult) => {
      if (gen !== generation.current) return; // a newer prompt is on its way
      markClickStage('annotate:click-decoded');
      const candidates = [...screenCandidates(result.masks, frame, display, region)];
      candidates.sort((a, b) => b.predictedIou - a.predictedIou);
      const next = { points, box, candidates, embeddingId };
      latest.current = next;
      setDecoded(next);
      setError(null);
    };
    const ready = early && settled.current.get(early);
    if (ready) return show(ready);
    timeDecode(early ?? client.decode(embeddingId, prompt, { multimask }))
      .then(show)
      .catch((e: Error) => gen === generation.current && setError(`the decoder failed: ${e.message}`));
  }, [client, embeddingId, points, box, request, frame, display, region]);

  /**
   * The pointer rests at (x, y) (image pixels): decode "a positive click here" ahead of the click
   * and, once there is something to refine and that decode is done with the pointer still resting
   * there (no click, no other rest), "a negative click here" — so a quick click elsewhere never
   * waits behind two guesses.
   */
  const aimGeneration = useRef(0);
  const aim = useCallback(
    (x: number, y: number) => {
      if (!client || !embeddingId) return;
      const gen = ++aimGeneration.current;
      const start = (label: 0 | 1): DecodeCall | null => {
        const { prompt, multimask, key } = request([...points, { x, y, label }], box);
        if (aimed.current.has(key)) return null;
        performance.mark(AIM);
        const call = client.decode(embeddingId, prompt, { multimask });
        call.then(
          (r) => {
            settled.current.set(call, r);
            // the mask the click would show first, painted ahead too (while the pointer still rests there)
            if (gen === aimGeneration.current && r.masks.length > 0) {
              const shown = screenCandidates(r.masks, frame, display, region);
              currentOverlay(shown.reduce((a, b) => (b.predictedIou > a.predictedIou ? b : a)).mask);
            }
          },
          () => aimed.current.delete(key),
        );
        aimed.current.set(key, call);
        while (aimed.current.size > AIMED_KEEP) aimed.current.delete(aimed.current.keys().next().value!);
        return call;
      };
      const positive = start(1);
      const refining = points.length > 0 || box !== null || seed !== null;
      if (!refining) return;
      const still = () => gen === aimGeneration.current && aimed.current.size > 0;
      const first: Promise<unknown> = positive ?? Promise.resolve();
      void first.then(
        () => void (still() && start(0)),
        () => undefined,
      );
    },
    [client, embeddingId, points, box, seed, request, frame, display, region],
  );

  const prompted = points.length > 0 || box !== null;
  // decoded for these prompts on this embedding (a move between the image and a focus region decodes anew; a restored draft's masks count as fresh)
  const fresh = decoded !== null && decoded.points === points && decoded.box === box && (decoded.embeddingId == null || decoded.embeddingId === embeddingId);
  // while a refinement decodes, the previous mask stays on screen (no flicker)
  return { candidates: prompted ? (decoded?.candidates ?? null) : null, pending: prompted && !fresh, error, aim };
}
