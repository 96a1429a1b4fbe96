// The prompts of the mask being made, as a pure reducer: clicks and a box for the decoder, brush
// strokes on top of its mask, which ambiguity candidate is shown, the click count, and undo.
import type { BoxXyxy, SamPoint } from '@dataengine/segment';

export type BrushMode = 'paint' | 'erase';

/** One brush or eraser drag, in image pixels. */
export interface BrushStroke {
  mode: BrushMode;
  radius: number;
  points: [number, number][];
}

export interface PromptSet {
  points: SamPoint[];
  box: BoxXyxy | null;
  strokes: BrushStroke[];
}

export interface PromptState extends PromptSet {
  /** Index into the candidates (sorted by predicted IoU, best first) for a single-prompt mask. */
  candidate: number;
  /** Every prompt, box and stroke the user made for this mask (undo does not give clicks back). */
  clicks: number;
  history: PromptSet[];
  /** Steps undone, newest last (cleared by any new prompt or stroke). */
  future: PromptSet[];
}

export type PromptAction =
  | { type: 'point'; x: number; y: number; positive: boolean }
  | { type: 'box'; box: BoxXyxy }
  | { type: 'stroke'; stroke: BrushStroke }
  | { type: 'cycle'; count: number }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'clear' }
  | { type: 'restore'; prompts: PromptSet; clicks: number };

/** Undo depth; older steps are dropped. */
export const UNDO_LIMIT = 100;

export const emptyPrompts = (): PromptState => ({ points: [], box: null, strokes: [], candidate: 0, clicks: 0, history: [], future: [] });

const snapshot = (s: PromptState): PromptSet => ({ points: s.points, box: s.box, strokes: s.strokes });

function push(s: PromptState, next: Partial<PromptSet>, resetCandidate: boolean): PromptState {
  const history = [...s.history, snapshot(s)].slice(-UNDO_LIMIT);
  return { ...s, ...next, history, future: [], clicks: s.clicks + 1, candidate: resetCandidate ? 0 : s.candidate };
}

export function promptReducer(s: PromptState, action: PromptAction): PromptState {
  switch (action.type) {
    case 'point':
      return push(s, { points: [...s.points, { x: action.x, y: action.y, label: action.positive ? 1 : 0 }] }, true);
    case 'box':
      return push(s, { box: action.box }, true);
    case 'stroke':
      return action.stroke.points.length === 0 ? s : push(s, { strokes: [...s.strokes, action.stroke] }, false);
    case 'cycle':
      return action.count > 1 ? { ...s, candidate: (s.candidate + 1) % action.count } : s;
    case 'undo': {
      const previous = s.history.at(-1);
      if (!previous) return s;
      const promptsChanged = previous.points !== s.points || previous.box !== s.box;
      return { ...s, ...previous, history: s.history.slice(0, -1), future: [...s.future, snapshot(s)], candidate: promptsChanged ? 0 : s.candidate };
    }
    case 'redo': {
      const next = s.future.at(-1);
      if (!next) return s;
      const promptsChanged = next.points !== s.points || next.box !== s.box;
      return { ...s, ...next, history: [...s.history, snapshot(s)], future: s.future.slice(0, -1), candidate: promptsChanged ? 0 : s.candidate };
    }
    case 'clear':
      return emptyPrompts();
    case 'restore':
      return { ...emptyPrompts(), ...action.prompts, clicks: action.clicks };
  }
}

/** Whether the decoder has anything to work from. */
export const hasDecoderPrompt = (s: PromptSet): boolean => s.points.length > 0 || s.box !== null;

/** One click or one box alone is ambiguous: ask for the three candidates (SAM-SPEC.md §1.3–1.4). */
export const isAmbiguous = (s: PromptSet): boolean => s.points.length + (s.box ? 1 : 0) === 1;

/** Normalises a drag into an XYXY box (any drag direction). */
export function boxFromDrag(x0: number, y0: number, x1: number, y1: number): BoxXyxy {
  return [Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1)];
}

/** Prompt points as stored with the mask (`pointCoords`): clicks, then box corners. */
export function pointCoords(s: PromptSet): [number, number][] {
  const coords = s.points.map((p): [number, number] => [p.x, p.y]);
  if (s.box) coords.push([s.box[0], s.box[1]], [s.box[2], s.box[3]]);
  return coords;
}
