import { describe, expect, it } from 'vitest';
import { maskLock } from './mask-lock';

const annotator = { id: 'u-1', role: 'annotator' as const };

describe('maskLock', () => {
  it("leaves the annotator's own masks, the model's masks and unsent drafts editable", () => {
    expect(maskLock(annotator, 'annotator', { maskId: '1', authorId: 'u-1' })).toBeNull();
    expect(maskLock(annotator, 'annotator', { maskId: '2', authorId: null })).toBeNull();
    expect(maskLock(annotator, 'annotator', { maskId: null, authorId: null })).toBeNull();
  });

  it("locks another annotator's mask, saying why; the project's managers change it", () => {
    expect(maskLock(annotator, 'annotator', { maskId: '3', authorId: 'u-2' })).toContain('drawn by another annotator');
    expect(maskLock({ id: 'u-9', role: 'manager' }, 'manager', { maskId: '3', authorId: 'u-2' })).toBeNull();
  });
});
