// Bad input gets a 4xx that says what was wrong, never a 500: NUL bytes in text, malformed
// percent-encoding, ids beyond what the database holds, references to rows that do not exist.
// Every case goes through the real HTTP API.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestImage, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, syntheticImageBytes, trpcMutation, trpcQuery, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 64, height: 48 };
const INT32_OVERFLOW = 2 ** 31;
const THIRTY_DIGITS = '9'.repeat(30);
let env: TestEnv;
let api: { url: string; close(): Promise<void> };
const cookies: Record<'admin' | 'manager' | 'annotator', string> = { admin: '', manager: '', annotator: '' };
let projectId: string;
let imageId: number;
let segmentation: { size: [number, number]; counts: string };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  const admin = await makeUser(env.deps.db, { role: 'admin' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const annotator = await makeUser(env.deps.db, { role: 'annotator' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  const { image } = await uploadImage(env.deps, manager, { projectId, fileName: 'a.png', body: Readable.from([await syntheticImageBytes({ seed: 6, ...SIZE, format: 'png' })]) });
  await ingestImage(env.deps, { imageId: image.id });
  imageId = image.id;
  const data = new Uint8Array(SIZE.width * SIZE.height).fill(1, 200, 700);
  segmentation = compressRle(encodeMask({ ...SIZE, data }));
  cookies.admin = await loginCookie(api.url, admin.email, admin.password);
  cookies.manager = await loginCookie(api.url, manager.email, manager.password);
  cookies.annotator = await loginCookie(api.url, annotator.email, annotator.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

interface Answer {
  status: number;
  message: string;
}

const trpc = async (kind: 'query' | 'mutation', path: string, input: unknown, who?: keyof typeof cookies): Promise<Answer> => {
  const res = kind === 'query' ? await trpcQuery(api.url, path, input, who && cookies[who]) : await trpcMutation(api.url, path, input, who && cookies[who]);
  return { status: res.status, message: res.error?.message ?? '' };
};

const http = async (path: string, init: RequestInit & { who?: keyof typeof cookies } = {}): Promise<Answer> => {
  const { who, ...rest } = init;
  const res = await fetch(`${api.url}${path}`, { ...rest, headers: { ...(who ? { cookie: cookies[who] } : {}), ...(rest.headers as Record<string, string>) } });
  const text = await res.text();
  let message = text;
  try {
    message = (JSON.parse(text) as { error: { message: string } }).error.message;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, message };
};

const cases: [label: string, send: () => Promise<Answer>, says: RegExp][] = [
  ['a NUL byte in the sign-in e-mail', () => trpc('mutation', 'auth.login', { email: 'a\u0000b@example.test', password: 'whatever-password' }), /NUL character|e-?mail/i],
  ['a NUL byte in a new user\'s e-mail', () => trpc('mutation', 'users.create', { email: 'new\u0000user@example.test', name: 'New', password: 'long-enough-password', role: 'annotator' }, 'admin'), /NUL character|e-?mail/i],
  ['a NUL byte in a member\'s e-mail', () => trpc('mutation', 'projects.addMember', { projectId, email: 'x\u0000y@example.test', role: 'annotator' }, 'manager'), /NUL character|e-?mail/i],
  ['a NUL byte in a project name', () => trpc('mutation', 'projects.create', { name: 'Cats\u0000dogs' }, 'manager'), /NUL character/],
  ['malformed percent-encoding in X-File-Name', () => http(`/api/projects/${projectId}/images`, { method: 'POST', who: 'manager', headers: { 'x-file-name': '%E0%A4%A', 'content-type': 'image/png' }, body: 'x' }), /X-File-Name header is not valid percent-encoding/],
  ['image id 2^31 (images.get)', () => trpc('query', 'images.get', { imageId: INT32_OVERFLOW }, 'manager'), /2147483647/],
  ['image id 2^31 (masks.list)', () => trpc('query', 'masks.list', { imageId: INT32_OVERFLOW }, 'annotator'), /2147483647/],
  ['image id 2^31 (masks.save)', () => trpc('mutation', 'masks.save', { imageId: INT32_OVERFLOW, segmentation, activeMs: 1, clicks: 1 }, 'annotator'), /2147483647/],
  ['image ids 2^31 (images.setSplit)', () => trpc('mutation', 'images.setSplit', { projectId, imageIds: [imageId, INT32_OVERFLOW], split: 'val' }, 'manager'), /2147483647/],
  ['image ids 2^31 (runs.start)', () => trpc('mutation', 'runs.start', { kind: 'prefill', projectId, imageIds: [INT32_OVERFLOW] }, 'admin'), /2147483647/],
  ['a 30-digit mask id (masks.update)', () => trpc('mutation', 'masks.update', { maskId: THIRTY_DIGITS, version: 1, segmentation, activeMs: 1, clicks: 1 }, 'annotator'), /an id is a decimal whole number/],
  ['a 30-digit mask id (masks.delete)', () => trpc('mutation', 'masks.delete', { maskId: THIRTY_DIGITS, version: 1 }, 'annotator'), /an id is a decimal whole number/],
  ['mask version 2^31', () => trpc('mutation', 'masks.delete', { maskId: '1', version: INT32_OVERFLOW }, 'annotator'), /2147483647/],
  ['a 30-digit task id (tasks.renew)', () => trpc('mutation', 'tasks.renew', { taskId: THIRTY_DIGITS }, 'annotator'), /an id is a decimal whole number/],
  ['a 30-digit task id (tasks.submit)', () => trpc('mutation', 'tasks.submit', { taskId: THIRTY_DIGITS, activeMs: 1 }, 'annotator'), /an id is a decimal whole number/],
  ['page cursor 2^31 (images.list)', () => trpc('query', 'images.list', { projectId, cursor: INT32_OVERFLOW }, 'manager'), /2147483647/],
  ['retrain every 2^31 masks', () => trpc('mutation', 'projects.setRetrainSchedule', { projectId, everyMasks: INT32_OVERFLOW }, 'admin'), /2147483647/],
  ['image id 2^31 in a path (/file)', () => http(`/api/images/${INT32_OVERFLOW}/file`, { who: 'manager' }), /image id must be a whole number from 1 to 2147483647/],
  ['a 30-digit image id in a path (/thumbnail)', () => http(`/api/images/${THIRTY_DIGITS}/thumbnail`, { who: 'manager' }), /image id must be a whole number from 1 to 2147483647/],
  ['a 30-digit image id in a path (/embedding)', () => http(`/api/images/${THIRTY_DIGITS}/embedding`, { who: 'annotator' }), /image id must be a whole number from 1 to 2147483647/],
  ['a mask made with a checkpoint that does not exist', () => trpc('mutation', 'masks.save', { imageId, segmentation, activeMs: 1, clicks: 1, checkpointId: '00000000-0000-4000-8000-000000000000' }, 'annotator'), /the checkpoint this refers to \(checkpoint_id\) does not exist/],
];

describe('bad input answers 4xx with a message, never 500', () => {
  it.each(cases)('%s', async (_label, send, says) => {
    const answer = await send();
    expect(answer.status, answer.message).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.message).toBeLessThan(500);
    expect(answer.message).toMatch(says);
    expect(answer.message).not.toMatch(/unexpected error/);
  });

  it('a NUL byte in an uploaded file name is dropped from the stored name', async () => {
    const res = await fetch(`${api.url}/api/projects/${projectId}/images?name=a%00b.png`, {
      method: 'POST',
      headers: { cookie: cookies.manager, 'content-type': 'image/png' },
      body: (await syntheticImageBytes({ seed: 7, ...SIZE, format: 'png' })) as unknown as BodyInit,
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { image: { fileName: string } }).image.fileName).toBe('ab.png');
    await env.deps.db.image.deleteMany({ where: { projectId, fileName: 'ab.png' } });
  });

  it('left nothing behind', async () => {
    expect(await env.deps.db.mask.count()).toBe(0);
    expect(await env.deps.db.image.count({ where: { projectId } })).toBe(1);
  });
});
