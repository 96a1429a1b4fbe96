import { describe, expect, it } from 'vitest';
import { canCreateProjects, canSeeRuns, projectAbilities, roleLabel } from './permissions';

describe('projectAbilities', () => {
  it('lets project managers and admins manage; ops read members and re-ingest; members annotate', () => {
    expect(projectAbilities({ role: 'manager' }, { myRole: 'manager' })).toEqual({ manage: true, seeMembers: true, reingest: false, annotate: true });
    expect(projectAbilities({ role: 'admin' }, { myRole: null })).toEqual({ manage: true, seeMembers: true, reingest: true, annotate: true });
    expect(projectAbilities({ role: 'ops' }, { myRole: null })).toEqual({ manage: false, seeMembers: true, reingest: true, annotate: false });
    expect(projectAbilities({ role: 'annotator' }, { myRole: 'annotator' })).toEqual({ manage: false, seeMembers: false, reingest: false, annotate: true });
  });

  it('does not let a global manager manage a project where they are only an annotator', () => {
    expect(projectAbilities({ role: 'manager' }, { myRole: 'annotator' }).manage).toBe(false);
  });
});

describe('global abilities', () => {
  it('shows Runs to ops and admins, and project creation to managers and admins', () => {
    expect(['admin', 'ops', 'manager', 'annotator'].filter((r) => canSeeRuns(r as 'admin'))).toEqual(['admin', 'ops']);
    expect(['admin', 'ops', 'manager', 'annotator'].filter((r) => canCreateProjects(r as 'admin'))).toEqual(['admin', 'manager']);
  });

  it('names the relation to a project', () => {
    expect(roleLabel({ role: 'manager' }, { myRole: 'annotator' })).toBe('annotator');
    expect(roleLabel({ role: 'ops' }, { myRole: null })).toBe('ops (all projects)');
  });
});
