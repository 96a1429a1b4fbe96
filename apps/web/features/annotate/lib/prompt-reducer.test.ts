import { describe, expect, it } from 'vitest';
import { boxFromDrag, emptyPrompts, hasDecoderPrompt, isAmbiguous, pointCoords, promptReducer, type PromptAction, type PromptState } from './prompt-reducer';

const run = (actions: PromptAction[], from: PromptState = emptyPrompts()) => actions.reduce(promptReducer, from);
const stroke = { mode: 'paint' as const, radius: 4, points: [[1, 2]] as [number, number][] };

describe('prompt reducer', () => {
  it('adds positive and negative points and counts clicks', () => {
    const s = run([
      { type: 'point', x: 10, y: 20, positive: true },
      { type: 'point', x: 30, y: 40, positive: false },
    ]);
    expect(s.points).toEqual([{ x: 10, y: 20, label: 1 }, { x: 30, y: 40, label: 0 }]);
    expect(s.clicks).toBe(2);
    expect(hasDecoderPrompt(s)).toBe(true);
    expect(isAmbiguous(s)).toBe(false);
  });

  it('treats one click or one box alone as ambiguous, and cycles the candidate', () => {
    let s = run([{ type: 'point', x: 1, y: 1, positive: true }]);
    expect(isAmbiguous(s)).toBe(true);
    s = run([{ type: 'cycle', count: 3 }, { type: 'cycle', count: 3 }], s);
    expect(s.candidate).toBe(2);
    expect(run([{ type: 'cycle', count: 3 }], s).candidate).toBe(0);
    expect(run([{ type: 'cycle', count: 1 }], s).candidate).toBe(2);
    expect(isAmbiguous(run([{ type: 'box', box: [0, 0, 5, 5] }]))).toBe(true);
    // a new prompt starts again from the best candidate
    expect(run([{ type: 'point', x: 2, y: 2, positive: false }], s).candidate).toBe(0);
  });

  it('undoes points, boxes and strokes one at a time, keeping the click count', () => {
    const s = run([
      { type: 'point', x: 1, y: 1, positive: true },
      { type: 'box', box: [0, 0, 9, 9] },
      { type: 'stroke', stroke },
    ]);
    expect(s.strokes).toHaveLength(1);
    const u1 = run([{ type: 'undo' }], s);
    expect(u1.strokes).toHaveLength(0);
    expect(u1.box).toEqual([0, 0, 9, 9]);
    const u3 = run([{ type: 'undo' }, { type: 'undo' }, { type: 'undo' }], u1);
    expect(u3.points).toEqual([]);
    expect(u3.clicks).toBe(3);
    expect(hasDecoderPrompt(u3)).toBe(false);
  });

  it('redoes what was undone, until a new prompt starts another branch', () => {
    const s = run([
      { type: 'point', x: 1, y: 1, positive: true },
      { type: 'stroke', stroke },
      { type: 'undo' },
      { type: 'undo' },
      { type: 'redo' },
    ]);
    expect(s.points).toHaveLength(1);
    expect(s.strokes).toHaveLength(0);
    expect(run([{ type: 'redo' }], s).strokes).toHaveLength(1);
    const branched = run([{ type: 'point', x: 5, y: 5, positive: false }], s);
    expect(branched.future).toEqual([]);
    expect(run([{ type: 'redo' }], branched)).toBe(branched);
  });

  it('ignores empty strokes, clears everything, restores a draft', () => {
    expect(run([{ type: 'stroke', stroke: { ...stroke, points: [] } }]).clicks).toBe(0);
    const s = run([{ type: 'point', x: 1, y: 1, positive: true }, { type: 'clear' }]);
    expect(s).toEqual(emptyPrompts());
    const r = run([{ type: 'restore', prompts: { points: [{ x: 3, y: 4, label: 1 }], box: null, strokes: [stroke] }, clicks: 5 }]);
    expect(r.clicks).toBe(5);
    expect(r.history).toEqual([]);
    expect(pointCoords({ ...r, box: [1, 2, 3, 4] })).toEqual([[3, 4], [1, 2], [3, 4]]);
  });

  it('normalises boxes dragged in any direction', () => {
    expect(boxFromDrag(50, 10, 20, 40)).toEqual([20, 10, 50, 40]);
  });
});
