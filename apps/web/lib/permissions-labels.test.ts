import { describe, expect, it } from 'vitest';
import { canManageLabels } from './permissions';

describe('the label set editor (from the access policy)', () => {
  it("is offered to the project's managers and admins, not to ops or annotators", () => {
    expect(canManageLabels({ role: 'manager' }, { myRole: 'manager' })).toBe(true);
    expect(canManageLabels({ role: 'annotator' }, { myRole: 'manager' })).toBe(true);
    expect(canManageLabels({ role: 'admin' }, { myRole: null })).toBe(true);
    expect(canManageLabels({ role: 'ops' }, { myRole: null })).toBe(false);
    expect(canManageLabels({ role: 'manager' }, { myRole: 'annotator' })).toBe(false);
    expect(canManageLabels({ role: 'annotator' }, { myRole: 'annotator' })).toBe(false);
  });
});
