// Object storage faults with BLOB_STORE=s3: a real S3 server process (s3rver), the API and a
// worker as processes with their own local directories. The bucket missing, the credentials
// refused, and the store stopped for 10 s while images are ingested and an export runs.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  spawnService,
  stackEnvFor,
  startApiProcess,
  startS3Server,
  syntheticImageBytes,
  trpcMutation,
  uploadBytes,
  waitFor,
  type ApiProcess,
  type ServiceProcess,
} from '@dataengine/testing';
import type { FaultRow } from './fault-row';

export const title = 'object storage (S3) missing bucket, refused credentials, 10 s outage mid-run';

export async function run(): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  const s3 = await startS3Server();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 's3-fault-'));
  const env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'cache') });
  const apis: ApiProcess[] = [];
  let worker: ServiceProcess | undefined;
  const own = (name: string) => ({ ...s3.env, BLOB_DIR: path.join(tmp, name, 'blobs'), BLOB_CACHE_DIR: path.join(tmp, name, 'cache'), LOG_LEVEL: 'error' });
  try {
    await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'built-in', activate: true });
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
    const png = (seed: number) => syntheticImageBytes({ seed, width: 256, height: 192, format: 'png' });

    for (const [label, extra, expected] of [
      ['S3_BUCKET names a bucket that does not exist', { S3_BUCKET: 'no-such-bucket' }, /refuses requests \(bucket missing\)/],
      ['S3_SECRET_ACCESS_KEY is wrong', { S3_SECRET_ACCESS_KEY: 'wrong-secret' }, /refuses requests \(credentials refused\)/],
    ] as const) {
      const api = await startApiProcess(env, { ...own('bad'), ...extra, LOG_LEVEL: 'warn' });
      apis.push(api);
      const cookie = await loginCookie(api.url, manager.email, manager.password);
      const res = await uploadBytes(api.url, projectId, await png(1), cookie, 'a.png');
      const message = String(res.body?.error?.message ?? '');
      const logged = /bucket no-such-bucket does not exist at .*; create it or fix S3_BUCKET|S3 refused the credentials .* check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/.exec(api.service.output())?.[0] ?? '';
      rows.push({
        attack: `upload while ${label}`,
        expected: '503 saying which setting to fix; the API log names the bucket/endpoint',
        result: `${res.status}: "${message}" · log: "${logged.slice(0, 120)}"`,
        ok: res.status === 503 && expected.test(message) && logged !== '',
      });
      await api.stop();
    }

    const api = await startApiProcess(env, own('api'));
    apis.push(api);
    worker = spawnService('worker', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/worker/src/main.ts'], { ...stackEnvFor(env), ...own('worker'), LOG_LEVEL: 'info' });
    await waitFor(() => worker!.output().includes('"worker started"'), 'the worker to start', 60_000, 100);
    const cookie = await loginCookie(api.url, manager.email, manager.password);
    const ids: number[] = [];
    for (let seed = 10; seed < 18; seed++) ids.push(Number((await uploadBytes(api.url, projectId, await png(seed), cookie, `s${seed}.png`)).body.image.id));
    const exportRun = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'export', projectId, format: 'coco-rle', includeImages: true }, cookie);
    const pendingAtStop = await env.deps.db.image.count({ where: { id: { in: ids }, status: 'pending' } });
    await s3.pause();
    const t0 = Date.now();
    const down = await uploadBytes(api.url, projectId, await png(99), cookie, 'during.png');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await s3.resume();
    const settled = await waitFor(async () => {
      const all = await env.deps.db.image.findMany({ where: { id: { in: ids } } });
      return all.every((i) => i.status !== 'pending') ? all : null;
    }, 'every image to be ingested', 120_000, 250);
    const exported = await waitFor(async () => {
      const r = await env.deps.db.run.findUniqueOrThrow({ where: { id: exportRun.data!.id } });
      return ['succeeded', 'failed', 'cancelled'].includes(r.status) ? r : null;
    }, 'the export to finish', 120_000, 250);
    const recovered = (Date.now() - t0) / 1000;
    const ready = settled.filter((i) => i.status === 'ready').length;
    rows.push({
      attack: `S3 server stopped for 10 s right after ${ids.length} uploads (${pendingAtStop} still to ingest) and an export were queued`,
      expected: 'every image ingested, the export succeeds, no image marked failed',
      result: `${ready}/${ids.length} ready, ${settled.length - ready} failed; export ${exported.status}; all done ${recovered.toFixed(1)} s after the stop`,
      ok: ready === ids.length && exported.status === 'succeeded',
    });
    rows.push({
      attack: 'an upload while the S3 server is stopped',
      expected: '503 "object storage (S3) is unreachable; try again shortly"',
      result: `${down.status}: "${String(down.body?.error?.message ?? '')}"`,
      ok: down.status === 503 && /object storage \(S3\) is unreachable/.test(String(down.body?.error?.message)),
    });
  } finally {
    await worker?.stop();
    for (const api of apis) await api.stop();
    await env.close();
    await s3.stop();
    await rm(tmp, { recursive: true, force: true });
  }
  return rows;
}
