import { describe, expect, it } from 'vitest';
import { canSeeDashboard, mayHaveDashboards } from './dashboard-access';

describe('canSeeDashboard', () => {
  it('offers a project to its managers, and every project to ops and admins', () => {
    expect(canSeeDashboard({ role: 'manager' }, { myRole: 'manager' })).toBe(true);
    expect(canSeeDashboard({ role: 'manager' }, { myRole: 'annotator' })).toBe(false);
    expect(canSeeDashboard({ role: 'annotator' }, { myRole: 'annotator' })).toBe(false);
    expect(canSeeDashboard({ role: 'ops' }, { myRole: null })).toBe(true);
    expect(canSeeDashboard({ role: 'admin' }, { myRole: null })).toBe(true);
    expect(mayHaveDashboards('annotator')).toBe(false);
  });
});
