// Oversized input against the API process: padded and huge RLE masks from an annotator, a 100 MB
// body from nobody, a huge tRPC batch. Each refused from its headers or bounds, while /healthz
// keeps answering.
import { Readable } from 'node:stream';
import { ingestImage, uploadImage } from '@dataengine/engine';
import { compressRle, encodeMask, rleFromString, rleToString } from '@dataengine/segment';
import { createTestEnv, loginCookie, makeProject, makeUser, rawPost, startApiProcess, syntheticImageBytes, type RawPostResult } from '@dataengine/testing';
import type { FaultRow } from './fault-row';

export const title = 'Padded and huge RLE masks, oversized request bodies and batches';

const SIZE = { width: 64, height: 48 };

export async function run(): Promise<FaultRow[]> {
  const env = await createTestEnv();
  let api: Awaited<ReturnType<typeof startApiProcess>> | undefined;
  try {
    api = await startApiProcess(env, { LOG_LEVEL: 'warn' });
    const url = api.url;
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const annotator = await makeUser(env.deps.db, { role: 'annotator' });
    const projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] })).id;
    const { image } = await uploadImage(env.deps, manager, { projectId, fileName: 'a.png', body: Readable.from([await syntheticImageBytes({ seed: 5, ...SIZE, format: 'png' })]) });
    await ingestImage(env.deps, { imageId: image.id });
    const cookie = await loginCookie(url, annotator.email, annotator.password);

    const data = new Uint8Array(SIZE.width * SIZE.height);
    data.fill(1, 100, 900);
    const { counts } = encodeMask({ ...SIZE, data });
    const head = rleToString(counts.slice(0, 2));
    const tail = rleToString(counts).slice(head.length);
    const saveBody = (rleCounts: string) => Buffer.from(JSON.stringify({ imageId: image.id, segmentation: { size: [SIZE.height, SIZE.width], counts: rleCounts }, activeMs: 1, clicks: 1 }));

    /** `send` while /healthz is polled every 10 ms from another process's point of view (this one only waits). */
    const probed = async (send: () => Promise<RawPostResult>) => {
      let done = false;
      let slowest = 0;
      let failures = 0;
      const probe = (async () => {
        while (!done) {
          const t0 = performance.now();
          try {
            await (await fetch(`${url}/healthz`)).arrayBuffer();
          } catch {
            failures++;
          }
          slowest = Math.max(slowest, performance.now() - t0);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      try {
        return { result: await send(), slowest, failures };
      } finally {
        done = true;
        await probe;
      }
    };
    const message = (r: RawPostResult) => {
      try {
        return ((JSON.parse(r.body) as { error?: { message?: string } }).error?.message ?? '').slice(0, 90);
      } catch {
        return r.body.slice(0, 90);
      }
    };
    const rows: FaultRow[] = [];

    const padded = saveBody(head + '0'.repeat(40_000_000) + tail);
    const p40 = await probed(() => rawPost(url, '/trpc/masks.save', { body: padded, headers: { cookie } }));
    rows.push({
      attack: 'annotator saves a valid RLE padded with 40M empty runs (40 MB body)',
      expected: 'refused (413) in milliseconds, unread; /healthz answers meanwhile',
      result: `${p40.result.status} in ${p40.result.ms.toFixed(0)} ms after ${(p40.result.bytesSent / 1e6).toFixed(1)} of ${(padded.length / 1e6).toFixed(1)} MB sent ("${message(p40.result)}"); slowest /healthz ${p40.slowest.toFixed(0)} ms`,
      ok: p40.result.status === 413 && p40.result.ms < 1_000 && p40.slowest < 500,
    });

    const small = saveBody(head + '0'.repeat(1_000_000) + tail);
    const p1 = await probed(() => rawPost(url, '/trpc/masks.save', { body: small, headers: { cookie } }));
    rows.push({
      attack: 'annotator saves an RLE padded with 1M empty runs (1 MB, under the body limit) for a 64×48 image',
      expected: 'refused (400: longer than any mask of the image) before decoding',
      result: `${p1.result.status} in ${p1.result.ms.toFixed(0)} ms ("${message(p1.result)}"); slowest /healthz ${p1.slowest.toFixed(0)} ms`,
      ok: p1.result.status === 400 && p1.result.ms < 1_000,
    });

    const big = saveBody(head + '0'.repeat(10_000_000) + tail);
    const p10 = await rawPost(url, '/trpc/masks.save', { body: big, headers: { cookie } });
    rows.push({
      attack: 'annotator saves a 10 MB RLE',
      expected: 'refused (413), nothing stored',
      result: `${p10.status} in ${p10.ms.toFixed(0)} ms; masks stored: ${await env.deps.db.mask.count({ where: { imageId: image.id } })}`,
      ok: p10.status === 413 && (await env.deps.db.mask.count({ where: { imageId: image.id } })) === 0,
    });

    const withEmpty = [counts[0]!, 0, 0, ...counts.slice(1)];
    const canon = await rawPost(url, '/trpc/masks.save', { body: saveBody(rleToString(withEmpty)), headers: { cookie } });
    const stored = await env.deps.db.mask.findFirst({ where: { imageId: image.id }, select: { rleCounts: true } });
    const storedRuns = stored ? rleFromString(stored.rleCounts) : [];
    rows.push({
      attack: 'annotator saves an RLE with empty runs inside (same pixels)',
      expected: 'stored canonical: no empty run but the first, the string encodeMask writes',
      result: `${canon.status}; stored ${storedRuns.length} runs, empty inside: ${storedRuns.slice(1).filter((c) => c === 0).length}; canonical string: ${stored?.rleCounts === compressRle(encodeMask({ ...SIZE, data })).counts ? 'yes' : 'NO'}`,
      ok: canon.status === 200 && stored?.rleCounts === compressRle(encodeMask({ ...SIZE, data })).counts,
    });

    const login = await probed(() => rawPost(url, '/trpc/auth.login', { bytes: 100 * 1024 * 1024, prefix: '{"email":"x@example.test","password":"' }));
    rows.push({
      attack: 'unauthenticated 100 MB /trpc/auth.login body',
      expected: '413 from the headers, body unread; /healthz answers meanwhile',
      result: `${login.result.status} in ${login.result.ms.toFixed(0)} ms after ${(login.result.bytesSent / 1e6).toFixed(1)} of 104.9 MB sent; slowest /healthz ${login.slowest.toFixed(0)} ms`,
      ok: login.result.status === 413 && login.result.ms < 1_000 && login.slowest < 500,
    });

    const chunked = await rawPost(url, '/trpc/auth.login', { bytes: 100 * 1024 * 1024, chunked: true, prefix: '{"email":"x@example.test","password":"' });
    rows.push({
      attack: 'unauthenticated 100 MB /trpc body without Content-Length (chunked)',
      expected: '413 once the body passes TRPC_MAX_BODY_BYTES',
      result: `${chunked.status} in ${chunked.ms.toFixed(0)} ms after ${(chunked.bytesSent / 1e6).toFixed(1)} MB sent ("${message(chunked)}")`,
      ok: chunked.status === 413,
    });

    const calls = 1_500; // longer batches do not fit in a URL (Node refuses headers over 16 KB with 431)
    const t0 = performance.now();
    const batch = await fetch(`${url}/trpc/${Array.from({ length: calls }, () => 'auth.me').join(',')}?batch=1`, { headers: { cookie } });
    const batchText = await batch.text();
    rows.push({
      attack: `tRPC batch of ${calls} calls`,
      expected: 'refused (400) before any call runs',
      result: `${batch.status} in ${(performance.now() - t0).toFixed(0)} ms ("${batchText.slice(batchText.indexOf('"message":"') + 11, batchText.indexOf('"message":"') + 90)}")`,
      ok: batch.status === 400,
    });
    return rows;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- api ---\n${api?.service.output().slice(-3000)}`);
  } finally {
    await api?.stop();
    await env.close();
  }
}
