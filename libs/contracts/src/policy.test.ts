// The access policy as a table: every persona × every action, so a changed rule shows up here as
// a changed row, not as a surprise in one of the places that ask the policy.
import { describe, expect, it } from 'vitest';
import type { ProjectRole, UserRole } from './domain';
import {
  decideCheckpointUse,
  decideGlobal,
  decideInProject,
  decideMaskEdit,
  GLOBAL_RULES,
  mayGlobal,
  mayInProject,
  PROJECT_RULES,
  runCancelAction,
  runStartAction,
  type GlobalAction,
  type ProjectAction,
} from './policy';
import { runKindSchema } from './domain';

const PERSONAS = {
  admin: { role: 'admin', membership: null },
  ops: { role: 'ops', membership: null },
  projectManager: { role: 'manager', membership: 'manager' },
  otherManager: { role: 'manager', membership: null },
  annotator: { role: 'annotator', membership: 'annotator' },
  outsider: { role: 'annotator', membership: null },
  /** a global manager who is only an annotator in this project */
  managerAsAnnotator: { role: 'manager', membership: 'annotator' },
  /** a global annotator made manager of this project */
  annotatorAsManager: { role: 'annotator', membership: 'manager' },
} as const satisfies Record<string, { role: UserRole; membership: ProjectRole | null }>;
type Persona = keyof typeof PERSONAS;
const ALL = Object.keys(PERSONAS) as Persona[];

const MANAGERS: Persona[] = ['admin', 'projectManager', 'annotatorAsManager'];
const MANAGERS_AND_OPS: Persona[] = ['admin', 'ops', 'projectManager', 'annotatorAsManager'];
const ENGINE: Persona[] = ['admin', 'ops'];

/** Who may do each action in one project. */
const PROJECT_TABLE: Record<ProjectAction, Persona[]> = {
  'project.view': ['admin', 'ops', 'projectManager', 'annotator', 'managerAsAnnotator', 'annotatorAsManager'],
  'project.annotate': ['admin', 'projectManager', 'annotator', 'managerAsAnnotator', 'annotatorAsManager'],
  'project.manage': MANAGERS,
  // annotators do not see the member list (names and e-mail addresses); ops do, read-only
  'members.view': MANAGERS_AND_OPS,
  'members.manage': MANAGERS,
  'images.upload': MANAGERS,
  'images.register': MANAGERS,
  'stats.view': MANAGERS_AND_OPS,
  'annotations.export': MANAGERS_AND_OPS,
  'annotations.import': MANAGERS_AND_OPS,
  'masks.edit-any': MANAGERS,
  // the label set (names, colours, order): its managers; everyone who sees the project reads it
  'labels.manage': MANAGERS,
  // the review queue: the project's managers; ops read the viewer and accept rates but do not judge
  review: MANAGERS,
  'runs.reingest': ENGINE,
  'runs.prefill': ENGINE,
  'runs.autogen': ENGINE,
  'runs.retrain': ENGINE,
  'runs.evaluate': ENGINE,
  'runs.cancel': ENGINE,
  'retrain.schedule': ENGINE,
};

const GLOBAL_TABLE: Record<GlobalAction, UserRole[]> = {
  'projects.create': ['admin', 'manager'],
  'projects.view-all': ['admin', 'ops'],
  'runs.view-all': ['admin', 'ops'],
  'runs.cancel-any': ['admin', 'ops'],
  'dashboards.open': ['admin', 'ops', 'manager'],
  'users.list': ['admin', 'manager'],
  'users.manage': ['admin'],
  'ops.view': ['admin', 'ops'],
  'checkpoints.manage': ['admin', 'ops'],
};

describe('project actions', () => {
  it('the table covers every rule the policy has', () => {
    expect(Object.keys(PROJECT_TABLE).sort()).toEqual(Object.keys(PROJECT_RULES).sort());
  });

  for (const [action, allowed] of Object.entries(PROJECT_TABLE) as [ProjectAction, Persona[]][]) {
    it(`${action}: ${allowed.join(', ')}`, () => {
      const actual = ALL.filter((p) => mayInProject(PERSONAS[p], PERSONAS[p].membership, action));
      expect(actual.sort()).toEqual([...allowed].sort());
    });
  }

  it('refusals say why without naming the project', () => {
    const outsider = decideInProject({ role: 'manager' }, null, 'images.upload');
    expect(outsider).toEqual({ allowed: false, reason: 'uploading images: you are not a member of this project; ask one of its managers to add you' });
    const annotator = decideInProject({ role: 'annotator' }, 'annotator', 'members.view');
    expect(annotator).toEqual({ allowed: false, reason: "seeing this project's members needs the manager role in this project or the ops or admin role; you are an annotator in this project" });
    const engine = decideInProject({ role: 'manager' }, 'manager', 'runs.cancel');
    expect(engine).toEqual({ allowed: false, reason: 'cancelling runs needs the ops or admin role; you are a manager' });
  });
});

describe('global actions', () => {
  it('the table covers every rule the policy has', () => {
    expect(Object.keys(GLOBAL_TABLE).sort()).toEqual(Object.keys(GLOBAL_RULES).sort());
  });

  const roles: UserRole[] = ['admin', 'ops', 'manager', 'annotator'];
  for (const [action, allowed] of Object.entries(GLOBAL_TABLE) as [GlobalAction, UserRole[]][]) {
    it(`${action}: ${allowed.join(', ')}`, () => {
      expect(roles.filter((role) => mayGlobal({ role }, action)).sort()).toEqual([...allowed].sort());
    });
  }

  it('a refusal names the roles that would do', () => {
    expect(decideGlobal({ role: 'annotator' }, 'checkpoints.manage')).toEqual({ allowed: false, reason: 'managing checkpoints needs the ops or admin role; you are an annotator' });
  });
});

describe('runs', () => {
  it('each kind is started and cancelled under a named action', () => {
    const starts = Object.fromEntries(runKindSchema.options.map((k) => [k, runStartAction(k)]));
    expect(starts).toEqual({
      ingest: 'images.upload',
      embed: 'runs.reingest',
      prefill: 'runs.prefill',
      autogen: 'runs.autogen',
      retrain: 'runs.retrain',
      evaluate: 'runs.evaluate',
      export: 'annotations.export',
      import: 'annotations.import',
    });
    expect(runCancelAction('export')).toBe('annotations.export');
    expect(runCancelAction('import')).toBe('annotations.import');
    expect(runCancelAction('prefill')).toBe('runs.cancel');
    expect(runCancelAction('ingest')).toBe('runs.cancel');
  });
});

describe('editing a mask', () => {
  const me = 'u-me';
  const someoneElse = 'u-other';
  type Row = [persona: Persona, author: 'me' | 'other' | 'nobody', holdsImage: boolean, allowed: boolean];
  const rows: Row[] = [
    // annotators: their own masks anywhere in the project
    ['annotator', 'me', false, true],
    ['annotator', 'me', true, true],
    // the model's (or an import's) masks only on the image they hold: that is how they correct them
    ['annotator', 'nobody', true, true],
    ['annotator', 'nobody', false, false],
    // another annotator's mask stays theirs, even on the image I hold
    ['annotator', 'other', true, false],
    ['annotator', 'other', false, false],
    ['managerAsAnnotator', 'other', false, false],
    // the project's managers and admins: any mask
    ['projectManager', 'other', false, true],
    ['projectManager', 'nobody', false, true],
    ['annotatorAsManager', 'other', false, true],
    ['admin', 'other', false, true],
    // not annotating in the project at all
    ['ops', 'nobody', false, false],
    ['outsider', 'me', false, false],
    ['otherManager', 'other', false, false],
  ];
  for (const [persona, author, holdsImage, allowed] of rows) {
    it(`${persona}, a mask by ${author}${holdsImage ? ' on the image they hold' : ''}: ${allowed ? 'allowed' : 'refused'}`, () => {
      const p = PERSONAS[persona];
      const authorId = author === 'me' ? me : author === 'other' ? someoneElse : null;
      expect(decideMaskEdit({ id: me, role: p.role }, p.membership, { authorId, imageHeldByActor: holdsImage }).allowed).toBe(allowed);
    });
  }

  it('refusals tell the annotator what to do', () => {
    const other = decideMaskEdit({ id: me, role: 'annotator' }, 'annotator', { authorId: someoneElse, imageHeldByActor: true });
    expect(other.allowed === false && other.reason).toContain('drawn by another annotator');
    const model = decideMaskEdit({ id: me, role: 'annotator' }, 'annotator', { authorId: null, imageHeldByActor: false });
    expect(model.allowed === false && model.reason).toContain('only on the image they hold');
    const outsider = decideMaskEdit({ id: me, role: 'annotator' }, null, { authorId: me, imageHeldByActor: false });
    expect(outsider.allowed === false && outsider.reason).toContain('not a member of this project');
  });
});

describe('using a checkpoint (its files, its events)', () => {
  it('a global checkpoint serves everyone; a project checkpoint those who may see the project', () => {
    for (const p of ALL) expect(decideCheckpointUse(PERSONAS[p], { projectId: null }, PERSONAS[p].membership).allowed).toBe(true);
    const scoped = ALL.filter((p) => decideCheckpointUse(PERSONAS[p], { projectId: 'p1' }, PERSONAS[p].membership).allowed);
    expect(scoped.sort()).toEqual([...PROJECT_TABLE['project.view']].sort());
  });
});
