import { describe, expect, it } from 'vitest';
import { pastedKeys, registerInput, registerSummary, type RegisterForm } from './register-source';

const form = (over: Partial<RegisterForm>): RegisterForm => ({ mode: 'prefix', prefix: '', keys: '', bucket: '', split: 'auto', ...over });
const P = '00000000-0000-4000-8000-000000000001';

describe('the register-from-storage form', () => {
  it('reads a prefix, and the bucket only when one is given', () => {
    expect(registerInput(P, form({ prefix: ' datasets/shelf/ ' }))).toEqual({ input: { projectId: P, split: 'auto', prefix: 'datasets/shelf/' } });
    expect(registerInput(P, form({ prefix: 'a/', bucket: 'raw-photos', split: 'val' }))).toEqual({ input: { projectId: P, split: 'val', bucket: 'raw-photos', prefix: 'a/' } });
    expect(registerInput(P, form({ prefix: '   ' }))).toEqual({ problem: expect.stringMatching(/^Give the prefix/) });
  });

  it('reads pasted keys one a line, each once, and refuses more than one call takes', () => {
    expect(pastedKeys('a.jpg\r\n\n  b/c.png \na.jpg\n')).toEqual(['a.jpg', 'b/c.png']);
    expect(registerInput(P, form({ mode: 'keys', keys: 'a.jpg\nb.jpg' }))).toEqual({ input: { projectId: P, split: 'auto', keys: ['a.jpg', 'b.jpg'] } });
    expect(registerInput(P, form({ mode: 'keys', keys: '\n \n' }))).toEqual({ problem: 'Paste at least one object key, one a line.' });
    const many = Array.from({ length: 1_001 }, (_, i) => `k/${i}.jpg`).join('\n');
    expect(registerInput(P, form({ mode: 'keys', keys: many }))).toEqual({ problem: expect.stringMatching(/^1001 keys pasted; one registration takes at most 1000/) });
  });

  it('summarises a registration result, and nothing for other runs', () => {
    expect(registerSummary({ listing: { listed: 9, registered: 8, alreadyRegistered: 0, skipped: 1, skippedExamples: ['x.txt: not an image file name'] }, errors: [{ key: 's3://b/n.jpg', error: 'not an image' }] })).toEqual({
      listed: 9,
      registered: 8,
      alreadyRegistered: 0,
      skipped: 1,
      skippedExamples: ['x.txt: not an image file name'],
      errors: [{ key: 's3://b/n.jpg', error: 'not an image' }],
    });
    expect(registerSummary({ counts: { masks: 3 } })).toBeNull();
    expect(registerSummary(null)).toBeNull();
  });
});
