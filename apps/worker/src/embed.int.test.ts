// The embed job end to end: first request queues it, the worker runs the encoder through
// onnxruntime-node, the API serves the float16 embedding with HTTP caching.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@dataengine/config';
import { embedImage, getActiveCheckpoint, registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { float16ToFloat32 } from '@dataengine/segment';
import { openBundle } from '@dataengine/segment/node';
import { writeContractBundle } from '@dataengine/segment/testing';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startTestApi, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { startWorker } from './start-worker';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let tmp: string;
let annotator: MadeUser;
let imageId: number;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bundles-'));
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
  [imageId] = (await addSyntheticImages(env.deps, manager, { projectId, seeds: [5], width: 300, height: 200, fileName: () => 'a.png' })) as [number];
  await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'built-in', activate: true });
});
afterAll(async () => {
  await api?.close();
  await env?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('embeddings', () => {
  it('are queued on first request, computed by the embed job, and served as float16 with caching', async () => {
    const cookie = await loginCookie(api.url, annotator.email, annotator.password);
    const first = await fetch(`${api.url}/api/images/${imageId}/embedding`, { headers: { cookie } });
    expect(first.status).toBe(202);
    const worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
    try {
      const res = await waitFor(async () => {
        const r = await fetch(`${api.url}/api/images/${imageId}/embedding`, { headers: { cookie } });
        return r.status === 200 ? r : null;
      }, 'the embedding to be computed');
      expect(res.headers.get('x-embedding-dtype')).toBe('float16');
      expect(res.headers.get('x-embedding-shape')).toBe('1,256,64,64');
      expect(res.headers.get('x-image-size')).toBe('300x200');
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.byteLength).toBe(256 * 64 * 64 * 2);
      // the served values are the encoder's output, to half precision
      const active = (await getActiveCheckpoint(env.deps))!;
      const { predictor } = await openBundle(path.dirname(await env.deps.blobs.localPath(`${active.bundleKey}/manifest.json`)));
      const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: imageId } });
      const { data, info } = await sharp(await env.deps.blobs.get(image.blobKey)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const reference = (await predictor.embedImage({ width: info.width, height: info.height, channels: 3, data })).tensor.data;
      const served = float16ToFloat32(new Uint16Array(bytes.buffer));
      let maxError = 0;
      for (let i = 0; i < served.length; i += 97) maxError = Math.max(maxError, Math.abs(served[i]! - reference[i]!) / Math.max(1, Math.abs(reference[i]!)));
      expect(maxError).toBeLessThan(1e-3);
      const cached = await fetch(`${api.url}/api/images/${imageId}/embedding`, { headers: { cookie, 'if-none-match': res.headers.get('etag')! } });
      expect(cached.status).toBe(304);
      // idempotent: a second job run leaves one row
      await embedImage(env.deps, { imageId, checkpointId: active.id });
      expect(await env.deps.db.embedding.count({ where: { imageId } })).toBe(1);
    } finally {
      await worker.stop();
    }
  });
});
