import { describe, expect, it } from 'vitest';
import { buildStartRunInput, DEFAULT_RUN_FORM, startedRunMessage } from './run-form';

const projectId = '11111111-1111-4111-8111-111111111111';
const candidateId = '22222222-2222-4222-8222-222222222222';
const form = { ...DEFAULT_RUN_FORM, projectId };

describe('buildStartRunInput', () => {
  it('starts an autogen run with the preset and the overrides JSON', () => {
    const r = buildStartRunInput('autogen', { ...form, preset: 'sa1b', overrides: '{"pointsPerSide": 4, "cropNLayers": 0}', imageIds: '3, 5 8' });
    expect(r).toEqual({ ok: true, input: { kind: 'autogen', projectId, preset: 'sa1b', overrides: { pointsPerSide: 4, cropNLayers: 0 }, imageIds: [3, 5, 8], allowEarlierStages: false } });
  });

  it('sends the selection as a filter the server resolves, with the grid\'s picked images and the early-stage confirmation', () => {
    const r = buildStartRunInput('autogen', { ...form, stage: 'fully_automatic', noMasks: true, split: 'val', useSaved: true, allowEarlierStages: true }, [4, 9]);
    expect(r).toEqual({ ok: true, input: expect.objectContaining({ kind: 'autogen', selection: { stages: ['fully_automatic'], noMasks: true, split: 'val', imageIds: [4, 9] }, allowEarlierStages: true }) });
    // nothing chosen: every ready image (no filter sent)
    const all = buildStartRunInput('export', form);
    expect(all.ok && 'selection' in all.input).toBe(false);
    // retrain and evaluate take no selection
    const retrain = buildStartRunInput('retrain', { ...form, stage: 'assisted_manual' });
    expect(retrain.ok && 'selection' in retrain.input).toBe(false);
  });

  it('shows the contract defaults and sends them back unchanged', () => {
    const r = buildStartRunInput('retrain', form);
    expect(r.ok && r.input).toMatchObject({ kind: 'retrain', mode: 'fast', steps: 300, lr: 3e-4, evaluate: true });
    expect(r.ok && 'batch' in r.input).toBe(false); // the trainer's recipe for the mode
    const full = buildStartRunInput('retrain', { ...form, mode: 'full' });
    expect(full.ok && full.input).toMatchObject({ kind: 'retrain', mode: 'full', refitSteps: 500 });
    expect(r.ok && 'refitSteps' in r.input).toBe(false); // a fast retrain has no refit phase
    const noRefit = buildStartRunInput('retrain', { ...form, mode: 'full', refitSteps: '0' });
    expect(noRefit.ok && noRefit.input).toMatchObject({ mode: 'full', refitSteps: 0 });
    expect(buildStartRunInput('retrain', { ...form, mode: 'full', refitSteps: '-5' })).toMatchObject({ ok: false });
    // hard-example sampling is a fast-mode choice: on only when ticked, never with a full retrain
    expect(r.ok && r.input).toMatchObject({ hardExamples: false });
    const hard = buildStartRunInput('retrain', { ...form, hardExamples: true });
    expect(hard.ok && hard.input).toMatchObject({ kind: 'retrain', mode: 'fast', hardExamples: true });
    const fullHard = buildStartRunInput('retrain', { ...form, mode: 'full', hardExamples: true });
    expect(fullHard.ok && fullHard.input).toMatchObject({ mode: 'full', hardExamples: false });
    const p = buildStartRunInput('prefill', form);
    expect(p.ok && p.input).toMatchObject({ kind: 'prefill', boxScoreThreshold: 0.3, predIouThresh: 0.7, maxMasksPerImage: 100 });
    expect(p.ok && 'imageIds' in p.input && p.input.imageIds).toBe(false);
  });

  it('evaluates a candidate against the active checkpoint, and an empty margin never promotes', () => {
    expect(buildStartRunInput('evaluate', { ...form, candidateId, margin: '' })).toEqual({ ok: true, input: { kind: 'evaluate', projectId, candidateId, maxImages: 50, autoPromoteMargin: null } });
    expect(buildStartRunInput('evaluate', form)).toEqual({ ok: false, error: 'choose the candidate checkpoint to evaluate' });
  });

  it('says what is wrong in words', () => {
    expect(buildStartRunInput('autogen', { ...form, overrides: '{pointsPerSide: 4}' })).toEqual({ ok: false, error: expect.stringContaining('not valid JSON') });
    expect(buildStartRunInput('autogen', { ...form, overrides: '[1]' })).toEqual({ ok: false, error: expect.stringContaining('must be a JSON object') });
    expect(buildStartRunInput('autogen', { ...form, overrides: '{"grid": [1]}' })).toEqual({ ok: false, error: 'override grid must be a number, true/false, a string or null' });
    expect(buildStartRunInput('retrain', { ...form, steps: 'many' })).toEqual({ ok: false, error: 'steps must be a number, got "many"' });
    expect(buildStartRunInput('retrain', { ...form, steps: '0' })).toEqual({ ok: false, error: expect.stringMatching(/^steps: /) });
    expect(buildStartRunInput('export', { ...form, imageIds: '4, x' })).toEqual({ ok: false, error: 'image ids are positive whole numbers; "x" is not one' });
    expect(buildStartRunInput('export', { ...form, projectId: '' })).toEqual({ ok: false, error: 'choose a project' });
  });
});

describe('startedRunMessage', () => {
  it('names the held-out images of an evaluate run, the items of the others', () => {
    expect(startedRunMessage({ kind: 'evaluate', total: 24 })).toBe('Started an evaluate run: the candidate and the checkpoint it would replace, each on the same 12 held-out images; it is listed below.');
    expect(startedRunMessage({ kind: 'autogen', total: 2 })).toBe('Started an autogen run over 2 items; it is listed below.');
    expect(startedRunMessage({ kind: 'retrain', total: 300 })).toBe('Started a retrain run over 300 steps; it is listed below.');
  });
});
