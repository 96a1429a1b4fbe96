import { describe, expect, it } from 'vitest';
import { canCreateProjects, canManageUsers, canOpenOpsConsole, canSeeRuns, mayHaveDashboards, projectAbilities, roleLabel } from './permissions';

describe('projectAbilities (from the access policy)', () => {
  it('lets project managers and admins manage and register from storage; ops read members, re-ingest and exchange; members annotate', () => {
    expect(projectAbilities({ role: 'manager' }, { myRole: 'manager' })).toEqual({
      manage: true, upload: true, register: true, seeMembers: true, editMembers: true, reingest: false, annotate: true, exportAnnotations: true, importAnnotations: true, dashboard: true, review: true,
    });
    expect(projectAbilities({ role: 'admin' }, { myRole: null })).toEqual({
      manage: true, upload: true, register: true, seeMembers: true, editMembers: true, reingest: true, annotate: true, exportAnnotations: true, importAnnotations: true, dashboard: true, review: true,
    });
    expect(projectAbilities({ role: 'ops' }, { myRole: null })).toEqual({
      manage: false, upload: false, register: false, seeMembers: true, editMembers: false, reingest: true, annotate: false, exportAnnotations: true, importAnnotations: true, dashboard: true, review: false,
    });
    expect(projectAbilities({ role: 'annotator' }, { myRole: 'annotator' })).toEqual({
      manage: false, upload: false, register: false, seeMembers: false, editMembers: false, reingest: false, annotate: true, exportAnnotations: false, importAnnotations: false, dashboard: false, review: false,
    });
  });

  it('follows the role in the project, not the global one', () => {
    expect(projectAbilities({ role: 'manager' }, { myRole: 'annotator' })).toMatchObject({ manage: false, seeMembers: false, exportAnnotations: false, dashboard: false, annotate: true });
    expect(projectAbilities({ role: 'annotator' }, { myRole: 'manager' })).toMatchObject({ manage: true, seeMembers: true, exportAnnotations: true, dashboard: true, review: true });
  });
});

describe('global abilities', () => {
  const roles = ['admin', 'ops', 'manager', 'annotator'] as const;
  it('shows Runs and the ops console to ops and admins, project creation to managers and admins, dashboards to all but annotators', () => {
    expect(roles.filter((role) => canSeeRuns({ role }))).toEqual(['admin', 'ops']);
    expect(roles.filter((role) => canOpenOpsConsole({ role }))).toEqual(['admin', 'ops']);
    expect(roles.filter((role) => canManageUsers({ role }))).toEqual(['admin']);
    expect(roles.filter((role) => canCreateProjects({ role }))).toEqual(['admin', 'manager']);
    expect(roles.filter((role) => mayHaveDashboards({ role }))).toEqual(['admin', 'ops', 'manager']);
  });

  it('names the relation to a project', () => {
    expect(roleLabel({ role: 'manager' }, { myRole: 'annotator' })).toBe('annotator');
    expect(roleLabel({ role: 'ops' }, { myRole: null })).toBe('ops (all projects)');
  });
});
