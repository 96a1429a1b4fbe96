// The checkpoint registry: validation, immutable content-addressed bundles, promote / roll back
// with an audit trail.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActiveCheckpoint, promoteCheckpoint, registerCheckpoint, rollbackCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, trpcMutation, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let ops: MadeUser;
let annotator: MadeUser;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bundles-'));
  ops = await makeUser(env.deps.db, { role: 'ops' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  await addSyntheticImages(env.deps, manager, { projectId, seeds: [5], width: 300, height: 200, fileName: () => 'a.png' });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('checkpoint registry', () => {
  it('registers a valid bundle as active, copying it into the blob store under its content hash', async () => {
    const dir = await writeContractBundle(path.join(tmp, 'first'));
    const row = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name: 'built-in', activate: true });
    expect(row.status).toBe('active');
    expect(row.bundleKey).toBe(`checkpoints/${row.bundleHash}`);
    expect(await env.deps.blobs.list(row.bundleKey)).toEqual(expect.arrayContaining([`${row.bundleKey}/decoder.onnx`, `${row.bundleKey}/encoder.onnx`, `${row.bundleKey}/manifest.json`]));
    // the same bytes register once
    const again = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir, name: 'copy' });
    expect(again.id).toBe(row.id);
  });

  it('rejects a corrupt bundle with a precise message and keeps the active checkpoint', async () => {
    const active = await getActiveCheckpoint(env.deps);
    const dir = await writeContractBundle(path.join(tmp, 'bad'), 'encoder-embedding-shape');
    const error = (await registerCheckpoint(env.deps, ops, { dir }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^checkpoint bundle rejected: .*encoder\.onnx.*image_embeddings/s);
    const wrongName = (await registerCheckpoint(env.deps, ops, { dir: await writeContractBundle(path.join(tmp, "bad2"), "decoder-input-name") }).catch((e: unknown) => e)) as Error;
    expect(wrongName.message).toMatch(/decoder\.onnx/);
    expect((await getActiveCheckpoint(env.deps))?.id).toBe(active?.id);
    expect(await env.deps.db.checkpoint.count()).toBe(1);
  });

  it('only ops and admins register or promote', async () => {
    const dir = await writeContractBundle(path.join(tmp, 'second'), 'with-detector');
    await expect(registerCheckpoint(env.deps, annotator, { dir })).rejects.toThrow(/needs the ops or admin role/);
  });

  it('promotes a candidate and rolls back, leaving an audit trail', async () => {
    const first = (await getActiveCheckpoint(env.deps))!;
    const candidate = await registerCheckpoint(env.deps, ops, { dir: await writeContractBundle(path.join(tmp, 'second'), 'with-detector'), parentId: first.id });
    expect(candidate.status).toBe('candidate');
    await promoteCheckpoint(env.deps, ops, { checkpointId: candidate.id, reason: 'better mIoU' });
    expect((await getActiveCheckpoint(env.deps))?.id).toBe(candidate.id);
    const back = await rollbackCheckpoint(env.deps, ops, { reason: 'masks got worse in review' });
    expect(back.id).toBe(first.id);
    const events = await env.deps.db.checkpointEvent.findMany({ orderBy: { id: 'asc' }, select: { action: true, toStatus: true, actorId: true, checkpointId: true } });
    expect(events.map((e) => `${e.action}:${e.toStatus}`)).toEqual([
      'register:candidate', 'promote:active', 'register:candidate', 'promote:retired', 'promote:active', 'rollback:retired', 'rollback:active',
    ]);
    expect(events.at(-1)).toMatchObject({ actorId: ops.id, checkpointId: first.id });
    await promoteCheckpoint(env.deps, ops, { checkpointId: first.id });
  });
});


describe('checkpoints over HTTP', () => {
  it('annotators see the active checkpoint and download its decoder; only ops list and promote', async () => {
    const member = await makeUser(env.deps.db, { role: 'annotator' });
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: member, role: 'annotator' }] })).id;
    const cookie = await loginCookie(api.url, member.email, member.password);
    const active = await trpcQuery<{ id: string; files: { decoder: string; encoder: string } }>(api.url, 'checkpoints.active', { projectId }, cookie);
    expect(active.status).toBe(200);
    const decoder = await fetch(`${api.url}${active.data!.files.decoder}`, { headers: { cookie } });
    expect(decoder.status).toBe(200);
    expect(decoder.headers.get('cache-control')).toContain('immutable');
    const local = await env.deps.blobs.get(`checkpoints/${(await getActiveCheckpoint(env.deps))!.bundleHash}/decoder.onnx`);
    expect(Buffer.from(await decoder.arrayBuffer()).equals(local)).toBe(true);
    // the annotator tool asks for the encoder's size before loading it (the focus view)
    const encoderHead = await fetch(`${api.url}${active.data!.files.encoder}`, { method: 'HEAD', headers: { cookie } });
    expect(encoderHead.status).toBe(200);
    const encoderBytes = await env.deps.blobs.get(`checkpoints/${(await getActiveCheckpoint(env.deps))!.bundleHash}/encoder.onnx`);
    expect(Number(encoderHead.headers.get('content-length'))).toBe(encoderBytes.length);
    expect(Number(encoderHead.headers.get('x-file-size'))).toBe(encoderBytes.length);
    expect(encoderHead.headers.get('x-external-data-size')).toBeNull(); // a single-file encoder: the browser may run it
    // an encoder whose weights sit in a side file (a large export) says so: the browser leaves it to the server
    const bundleHash = (await getActiveCheckpoint(env.deps))!.bundleHash;
    await env.deps.blobs.put(`checkpoints/${bundleHash}/encoder.onnx.data`, new Uint8Array(1234));
    const withSideFile = await fetch(`${api.url}${active.data!.files.encoder}`, { method: 'HEAD', headers: { cookie } });
    expect(withSideFile.headers.get('x-external-data-size')).toBe('1234');
    await env.deps.blobs.delete(`checkpoints/${bundleHash}/encoder.onnx.data`);
    expect((await encoderHead.arrayBuffer()).byteLength).toBe(0);
    expect((await fetch(`${api.url}/api/checkpoints/${active.data!.id}/files/..%2Fsecret`, { headers: { cookie } })).status).toBe(404);
    expect((await trpcQuery(api.url, 'checkpoints.list', undefined, cookie)).status).toBe(403);
    expect((await trpcMutation(api.url, 'checkpoints.rollback', { reason: 'x' }, cookie)).status).toBe(403);
    const opsCookie = await loginCookie(api.url, ops.email, ops.password);
    expect((await trpcQuery<unknown[]>(api.url, 'checkpoints.list', undefined, opsCookie)).data!.length).toBe(2);
  });
});

describe('engine events', () => {
  it('a promotion reaches open tools as a server-sent event', async () => {
    const member = await makeUser(env.deps.db, { role: 'annotator' });
    const cookie = await loginCookie(api.url, member.email, member.password);
    const controller = new AbortController();
    const res = await fetch(`${api.url}/api/events`, { headers: { cookie }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const received = (async () => {
      while (!text.includes('event: checkpoint.activated')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text;
    })();
    await new Promise((r) => setTimeout(r, 200)); // the shared subscriber is listening
    const candidate = await registerCheckpoint(env.deps, ops, { dir: await writeContractBundle(path.join(tmp, 'third'), 'with-detector') });
    await promoteCheckpoint(env.deps, ops, { checkpointId: candidate.id, reason: 'event test' });
    const body = await received;
    controller.abort();
    const data = JSON.parse(body.split('event: checkpoint.activated\ndata: ')[1]!.split('\n')[0]!) as { checkpointId: string };
    expect(data.checkpointId).toBe(candidate.id);
    expect((await fetch(`${api.url}/api/events`)).status).toBe(401);
  });
});
