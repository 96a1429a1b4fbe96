// An image of an autogen run whose bytes cannot be read because object storage refuses requests
// (credentials wrong, bucket gone, server down) is not a broken image: the job is retried and the
// run item stays pending, then the next try with a working store completes it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunInputSchema } from '@dataengine/contracts';
import { autogenImage, registerCheckpoint, startRun, SYSTEM_ACTOR } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { isBlobStoreUnavailableError, S3BlobStore } from '@dataengine/storage';
import { addSyntheticImages, createTestEnv, makeProject, makeUser, S3_SERVER_CREDENTIALS, startS3Server, type S3Server, type TestEnv } from '@dataengine/testing';

let s3: S3Server;
let env: TestEnv;
let tmp: string;

beforeAll(async () => {
  s3 = await startS3Server();
  tmp = await mkdtemp(path.join(os.tmpdir(), 's3-items-'));
  env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'cache') });
}, 60_000);
afterAll(async () => {
  await env?.close();
  await s3?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('run items on object storage', () => {
  it('an autogen image whose bytes the store refuses is retried, not failed', async () => {
    await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'built-in', activate: true });
    const ops = await makeUser(env.deps.db, { role: 'ops' });
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
    const [imageId] = (await addSyntheticImages(env.deps, manager, { projectId, seeds: [3], width: 256, height: 192 })) as [number];
    const run = await startRun(env.deps, ops, startRunInputSchema.parse({ kind: 'autogen', projectId, preset: 'sam-default', overrides: { pointsPerSide: 4 }, allowEarlierStages: true }));

    // a host whose store refuses its credentials (and has nothing cached)
    const refused = new S3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', forcePathStyle: true, accessKeyId: S3_SERVER_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong', cacheDir: path.join(tmp, 'refused-cache'), maxAttempts: 1 });
    const error = await autogenImage({ ...env.deps, blobs: refused }, { runId: run.id, imageId }, { attempt: 1 }).catch((e: unknown) => e);
    expect(isBlobStoreUnavailableError(error), String(error)).toBe(true);
    const item = await env.deps.db.runItem.findUniqueOrThrow({ where: { runId_imageId: { runId: run.id, imageId } } });
    expect(item).toMatchObject({ status: 'pending' });

    const retried = await autogenImage(env.deps, { runId: run.id, imageId }, { attempt: 2 });
    expect(retried.status).toBe('done');
  }, 60_000);
});
