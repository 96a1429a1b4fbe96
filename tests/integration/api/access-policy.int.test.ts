// The API enforces the access policy (@dataengine/contracts policy.ts) — exactly, not a copy of it:
// every persona calls one procedure per policy action over real HTTP, and the answer is 403 exactly
// when the policy (the same function the web UI asks for its show/hide) refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayGlobal, mayInProject, type GlobalAction, type ProjectAction, type ProjectRole, type UserRole } from '@dataengine/contracts';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv, type TrpcResult } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let project: { id: string; name: string };

const PERSONAS: Record<string, { role: UserRole; membership: ProjectRole | null }> = {
  admin: { role: 'admin', membership: null },
  ops: { role: 'ops', membership: null },
  projectManager: { role: 'manager', membership: 'manager' },
  otherManager: { role: 'manager', membership: null },
  annotator: { role: 'annotator', membership: 'annotator' },
  outsider: { role: 'annotator', membership: null },
  managerAsAnnotator: { role: 'manager', membership: 'annotator' },
  annotatorAsManager: { role: 'annotator', membership: 'manager' },
};
const users: Record<string, MadeUser> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  for (const [name, p] of Object.entries(PERSONAS)) users[name] = await makeUser(env.deps.db, { role: p.role });
  const members = Object.entries(PERSONAS)
    .filter(([, p]) => p.membership !== null)
    .map(([name, p]) => ({ user: users[name]!, role: p.membership! }));
  project = await makeProject(env.deps.db, { createdBy: users['admin']!, name: 'Secret Lighthouse', members });
  for (const name of Object.keys(PERSONAS)) cookies[name] = await loginCookie(api.url, users[name]!.email, users[name]!.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

type Call = (cookie: string) => Promise<TrpcResult>;

/** One (or more) API calls per policy action; allowed calls are harmless (re-setting a value, a run with nothing to do). */
const projectCalls = (): Record<ProjectAction, Call[]> => {
  const p = project.id;
  return {
    'project.view': [
      (c) => trpcQuery(api.url, 'projects.get', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'images.list', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'images.heldOut', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'runs.list', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'checkpoints.active', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'labels.list', { projectId: p }, c),
      (c) => trpcQuery(api.url, 'viewer.tiles', { projectId: p, imageIds: [] }, c),
      (c) => trpcQuery(api.url, 'review.settings', { projectId: p }, c),
    ],
    'project.annotate': [(c) => trpcQuery(api.url, 'tasks.peekNext', { projectId: p }, c)],
    'project.manage': [
      (c) => trpcMutation(api.url, 'projects.setStage', { projectId: p, stage: 'assisted_manual' }, c),
      (c) => trpcMutation(api.url, 'review.setSettings', { projectId: p, reviewSampleRate: 0.1 }, c),
    ],
    'members.view': [(c) => trpcQuery(api.url, 'projects.members', { projectId: p }, c)],
    'members.manage': [(c) => trpcMutation(api.url, 'projects.addMember', { projectId: p, email: users['annotator']!.email, role: 'annotator' }, c)],
    'images.upload': [(c) => trpcMutation(api.url, 'runs.beginUpload', { projectId: p, files: 1 }, c)],
    // this installation keeps blobs on local disk: an allowed caller hears 409 (it needs object storage)
    'images.register': [
      (c) => trpcQuery(api.url, 'images.registerOptions', { projectId: p }, c),
      (c) => trpcMutation(api.url, 'images.registerFromStore', { projectId: p, prefix: 'photos/' }, c),
    ],
    'stats.view': [(c) => trpcQuery(api.url, 'stats.project', { projectId: p }, c), (c) => trpcQuery(api.url, 'stats.csv', { projectId: p }, c)],
    'annotations.export': [(c) => trpcMutation(api.url, 'runs.start', { kind: 'export', projectId: p }, c)],
    // the import route takes a file body; its refusals are covered by the exchange tests
    'annotations.import': [],
    // masks: see mask-ownership.int.test.ts
    'masks.edit-any': [],
    // renaming, recolouring, reordering and deleting: see labels.int.test.ts
    'labels.manage': [(c) => trpcMutation(api.url, 'labels.create', { projectId: p, name: `label ${Math.random().toString(36).slice(2, 8)}` }, c)],
    // deciding: see review.int.test.ts (it needs submitted images)
    review: [(c) => trpcQuery(api.url, 'review.queue', { projectId: p }, c)],
    'runs.reingest': [(c) => trpcMutation(api.url, 'runs.reingest', { projectId: p }, c)],
    'runs.prefill': [(c) => trpcMutation(api.url, 'runs.start', { kind: 'prefill', projectId: p }, c)],
    'runs.autogen': [(c) => trpcMutation(api.url, 'runs.start', { kind: 'autogen', projectId: p }, c)],
    'runs.retrain': [(c) => trpcMutation(api.url, 'runs.start', { kind: 'retrain', projectId: p }, c)],
    'runs.evaluate': [(c) => trpcMutation(api.url, 'runs.start', { kind: 'evaluate', projectId: p, candidateId: '00000000-0000-4000-8000-000000000000' }, c)],
    // cancelling: see ops-console.int.test.ts (it needs runs to cancel)
    'runs.cancel': [],
    'retrain.schedule': [(c) => trpcMutation(api.url, 'projects.setRetrainSchedule', { projectId: p, everyMasks: null }, c)],
  };
};

const globalCalls = (): Record<GlobalAction, Call[]> => ({
  'projects.create': [(c) => trpcMutation(api.url, 'projects.create', { name: `Made ${Math.random().toString(36).slice(2, 8)}` }, c)],
  'projects.view-all': [],
  'runs.view-all': [(c) => trpcQuery(api.url, 'runs.list', {}, c)],
  'runs.cancel-any': [],
  'dashboards.open': [],
  'users.list': [(c) => trpcQuery(api.url, 'users.list', undefined, c)],
  'users.manage': [(c) => trpcMutation(api.url, 'users.create', { email: 'not-an-email', name: 'x', password: 'long-enough-password', role: 'annotator' }, c)],
  'ops.view': [(c) => trpcQuery(api.url, 'ops.queues', undefined, c), (c) => trpcQuery(api.url, 'ops.retrainSchedules', undefined, c)],
  'checkpoints.manage': [(c) => trpcQuery(api.url, 'checkpoints.list', undefined, c), (c) => trpcQuery(api.url, 'ops.checkpointEvents', { limit: 5 }, c)],
});

function expectAnswer(res: TrpcResult, allowed: boolean, what: string): void {
  if (allowed) {
    // allowed: whatever the call's own answer is (200, or 409/400 when there is nothing to do), never a refusal
    expect([401, 403], `${what}: ${res.error?.message ?? ''}`).not.toContain(res.status);
    expect(res.status, `${what}: ${res.error?.message ?? ''}`).toBeLessThan(500);
  } else {
    expect(res.status, what).toBe(403);
    expect(res.error?.data.appCode, what).toBe('FORBIDDEN');
    // a refusal never names the project
    expect(res.error?.message, what).not.toContain(project.name);
  }
}

describe('the API answers exactly as the access policy decides', () => {
  it('for every project action and persona', async () => {
    let checked = 0;
    for (const [action, calls] of Object.entries(projectCalls()) as [ProjectAction, Call[]][]) {
      for (const [name, persona] of Object.entries(PERSONAS)) {
        const allowed = mayInProject(persona, persona.membership, action);
        for (const call of calls) {
          expectAnswer(await call(cookies[name]!), allowed, `${name} ${action}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('for every installation-wide action and persona', async () => {
    for (const [action, calls] of Object.entries(globalCalls()) as [GlobalAction, Call[]][]) {
      for (const [name, persona] of Object.entries(PERSONAS)) {
        const allowed = mayGlobal(persona, action);
        for (const call of calls) expectAnswer(await call(cookies[name]!), allowed, `${name} ${action}`);
      }
    }
  });
});

describe('the member list', () => {
  it('is for the project managers, ops and admins; an annotator of the project is refused, as the UI hides it', async () => {
    const refused = await trpcQuery(api.url, 'projects.members', { projectId: project.id }, cookies['annotator']);
    expect(refused.status).toBe(403);
    expect(refused.error?.message).toBe("seeing this project's members needs the manager role in this project or the ops or admin role; you are an annotator in this project");
    const listed = await trpcQuery<{ user: { email: string } }[]>(api.url, 'projects.members', { projectId: project.id }, cookies['projectManager']);
    expect(listed.status).toBe(200);
    expect(listed.data!.map((m) => m.user.email)).toContain(users['annotator']!.email);
    expect((await trpcQuery(api.url, 'projects.members', { projectId: project.id }, cookies['ops'])).status).toBe(200);
  });

  it('a non-member is told they are not a member, without the project being named', async () => {
    const res = await trpcQuery(api.url, 'projects.get', { projectId: project.id }, cookies['outsider']);
    expect(res.status).toBe(403);
    expect(res.error?.message).toBe('seeing this project: you are not a member of this project; ask one of its managers to add you');
  });
});
