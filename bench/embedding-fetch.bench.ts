// Embedding fetch throughput with BLOB_STORE=s3: the API streaming the bytes from the bucket vs
// the API answering 302 to a presigned GET that the client fetches from the store. Starts its own
// S3 server process (s3rver, on this machine: the numbers compare the two paths on one host, not a
// real object store's throughput), an isolated installation and two in-process APIs.
//
// Run: npx tsx bench/embedding-fetch.bench.ts [--images 8] [--fetches 160] [--concurrency 8]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { embedImage, registerCheckpoint, SYSTEM_ACTOR } from '@dataengine/engine';
import { writeContractBundle } from '@dataengine/segment/testing';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startS3Server, startTestApi } from '@dataengine/testing';

const { values } = parseArgs({ options: { images: { type: 'string', default: '8' }, fetches: { type: 'string', default: '160' }, concurrency: { type: 'string', default: '8' } } });
const IMAGES = Number(values.images);
const FETCHES = Number(values.fetches);
const CONCURRENCY = Number(values.concurrency);

const s3 = await startS3Server();
const tmp = await mkdtemp(path.join(os.tmpdir(), 'embedding-fetch-'));
const env = await createTestEnv({ ...s3.env, BLOB_CACHE_DIR: path.join(tmp, 'cache'), S3_PRESIGN_SECONDS: '300' });
try {
  const checkpoint = await registerCheckpoint(env.deps, SYSTEM_ACTOR, { dir: await writeContractBundle(path.join(tmp, 'bundle')), name: 'built-in', activate: true });
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const projectId = (await makeProject(env.deps.db, { createdBy: manager })).id;
  const ids = await addSyntheticImages(env.deps, manager, { projectId, seeds: Array.from({ length: IMAGES }, (_, i) => i + 1), width: 320, height: 240 });
  let bytesEach = 0;
  for (const imageId of ids) bytesEach = (await embedImage(env.deps, { imageId, checkpointId: checkpoint.id })).byteSize;

  const through = await startTestApi({ ...env.deps, settings: { ...env.deps.settings, S3_PRESIGN_SECONDS: 0 } });
  const presigned = await startTestApi(env.deps);
  const cookie = await loginCookie(through.url, manager.email, manager.password);

  const measure = async (label: string, base: string) => {
    const latencies: number[] = [];
    let next = 0;
    let bytes = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < FETCHES) {
          const imageId = ids[next++ % ids.length]!;
          const s = performance.now();
          const res = await fetch(`${base}/api/images/${imageId}/embedding?checkpointId=${checkpoint.id}`, { headers: { cookie } });
          if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status}`);
          const body = await res.arrayBuffer();
          if (body.byteLength !== bytesEach) throw new Error(`${label}: ${body.byteLength} bytes, expected ${bytesEach}`);
          bytes += body.byteLength;
          latencies.push(performance.now() - s);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    return { path: label, fetches: latencies.length, 'fetches/s': (latencies.length / seconds).toFixed(1), 'MiB/s': (bytes / seconds / 2 ** 20).toFixed(1), 'p50 ms': p(0.5), 'p99 ms': p(0.99) };
  };
  // warm-up, then each path twice, alternating
  await measure('warm-up', through.url);
  const rows = [await measure('API streams from S3', through.url), await measure('302 → presigned GET', presigned.url), await measure('API streams from S3', through.url), await measure('302 → presigned GET', presigned.url)];
  console.log(`embedding fetch, ${IMAGES} images × ${(bytesEach / 2 ** 20).toFixed(1)} MiB float16, ${FETCHES} fetches per pass, ${CONCURRENCY} concurrent, ${os.cpus().length} cores`);
  console.table(rows);
  await through.close();
  await presigned.close();
} finally {
  await env.close();
  await s3.stop();
  await rm(tmp, { recursive: true, force: true });
}
