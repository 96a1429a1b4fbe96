// Export and import runs end to end (API → Redis → worker → blob store → API), and the round trip:
// masks of every provenance, with holes and several islands, exported as COCO RLE, SA-1B and COCO
// polygons and imported into fresh projects holding the same images, come back bit for bit.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { createLogger } from '@dataengine/config';
import { Prisma } from '@dataengine/db';
import { createRun, measureSegmentation, rleToCocoPolygons, runExport, type EngineDeps } from '@dataengine/engine';
import { compressRle, decodeRle, encodeMask, rleIou } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import {
  createTestEnv,
  loginCookie,
  makeProject,
  makeUser,
  startTestApi,
  syntheticImageBytes,
  trpcMutation,
  uploadBytes,
  waitFor,
  type MadeUser,
  type TestEnv,
} from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

const W = 160;
const H = 120;
const IMAGES = [
  { seed: 31, format: 'jpeg' as const, name: 'street.jpg' },
  { seed: 32, format: 'jpeg' as const, name: 'field.jpg' },
  { seed: 33, format: 'png' as const, name: 'yard.png' }, // SA-1B re-encodes it: matched through the sidecar's sha256
];
const PROVENANCES = ['manual', 'prefill', 'auto'] as const;

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
let ops: MadeUser;
let manager: MadeUser;
let annotator: MadeUser;
let opsCookie: string;
let managerCookie: string;
let annotatorCookie: string;
let source: { id: string };
const imageBytes: Buffer[] = [];

type RunRow = Awaited<ReturnType<TestEnv['deps']['db']['run']['findUniqueOrThrow']>>;

async function finished(runId: string): Promise<RunRow> {
  return waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, `run ${runId} to finish`, 30_000);
}

async function newProjectWithImages(): Promise<{ id: string; imageIds: number[] }> {
  const project = await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annotator, role: 'annotator' }] });
  const imageIds: number[] = [];
  for (const [i, spec] of IMAGES.entries()) {
    const res = await uploadBytes(api.url, project.id, imageBytes[i]!, managerCookie, spec.name);
    expect(res.status).toBe(201);
    imageIds.push(res.body.image.id);
  }
  await waitFor(async () => (await env.deps.db.image.count({ where: { projectId: project.id, status: 'ready' } })) === IMAGES.length, 'images to be ingested');
  return { id: project.id, imageIds };
}

async function startExport(projectId: string, params: Record<string, unknown>): Promise<RunRow> {
  const res = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'export', projectId, ...params }, opsCookie);
  expect(res.status, JSON.stringify(res.error)).toBe(200);
  const run = await finished(res.data!.id);
  expect(run.status, run.error ?? '').toBe('succeeded');
  return run;
}

async function download(runId: string, cookie = managerCookie): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(`${api.url}/api/runs/${runId}/artifact`, { headers: { cookie } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function importFile(projectId: string, format: string, body: Uint8Array, cookie = managerCookie): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/api/projects/${projectId}/import?format=${format}`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body: body as unknown as BodyInit,
  });
  return { status: res.status, body: await res.json() };
}

async function importAndWait(projectId: string, format: string, body: Uint8Array): Promise<RunRow> {
  const res = await importFile(projectId, format, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return finished(res.body.id);
}

async function tarEntries(bytes: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

async function packTar(entries: [string, Buffer][]): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of entries) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** What must survive a round trip, per image content hash, in a stable order. */
async function maskSnapshot(projectId: string) {
  const masks = await env.deps.db.mask.findMany({ where: { projectId, deletedAt: null }, include: { image: { select: { contentHash: true } } } });
  return masks
    .map((m) => ({
      image: m.image.contentHash,
      size: [m.rleHeight, m.rleWidth],
      counts: m.rleCounts,
      area: m.area,
      bbox: [m.bboxX, m.bboxY, m.bboxW, m.bboxH],
      provenance: m.provenance,
      stage: m.stage,
      predictedIou: m.predictedIou,
      stabilityScore: m.stabilityScore,
      pointCoords: m.pointCoords,
      cropBox: m.cropBox,
    }))
    .sort((a, b) => (a.image + a.counts < b.image + b.counts ? -1 : 1));
}

function expectSameBits(a: { counts: string; size: number[] }, b: { counts: string; size: number[] }): void {
  const da = decodeRle({ size: a.size as [number, number], counts: a.counts });
  const db = decodeRle({ size: b.size as [number, number], counts: b.counts });
  expect(Buffer.from(db.data).equals(Buffer.from(da.data))).toBe(true);
}

/** Discs painted in order: [cx, cy, r, value]. */
function discs(width: number, height: number, list: [number, number, number, 0 | 1][]) {
  const data = new Uint8Array(width * height);
  for (const [cx, cy, r, value] of list) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < r * r) data[y * width + x] = value;
  }
  return { width, height, data };
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
  ops = await makeUser(env.deps.db, { role: 'ops' });
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annotator = await makeUser(env.deps.db, { role: 'annotator' });
  opsCookie = await loginCookie(api.url, ops.email, ops.password);
  managerCookie = await loginCookie(api.url, manager.email, manager.password);
  annotatorCookie = await loginCookie(api.url, annotator.email, annotator.password);
  for (const spec of IMAGES) imageBytes.push(await syntheticImageBytes({ seed: spec.seed, width: W, height: H, format: spec.format }));

  // the source project: every synthetic instance as a mask, provenances in turn, plus one deleted mask
  source = await newProjectWithImages();
  const images = await env.deps.db.image.findMany({ where: { projectId: source.id }, orderBy: { id: 'asc' } });
  let n = 0;
  for (const [i, image] of images.entries()) {
    const scene = generateScene({ seed: IMAGES[i]!.seed, width: W, height: H });
    for (const instance of scene.instances) {
      const provenance = PROVENANCES[n++ % 3]!;
      const measured = measureSegmentation(compressRle(encodeMask(instance.mask)), image);
      await env.deps.db.mask.create({
        data: {
          ...measured,
          projectId: source.id,
          imageId: image.id,
          stage: provenance === 'manual' ? 'assisted_manual' : provenance === 'prefill' ? 'semi_automatic' : 'fully_automatic',
          provenance,
          predictedIou: provenance === 'manual' ? null : 0.5 + (n % 40) / 100,
          stabilityScore: provenance === 'manual' ? null : 0.9 + (n % 9) / 100,
          pointCoords: provenance === 'manual' ? Prisma.DbNull : [[instance.bbox[0] + 0.5, instance.bbox[1] + 0.25]],
          cropBox: provenance === 'auto' ? [0, 0, W, H] : Prisma.DbNull,
          authorId: provenance === 'manual' ? annotator.id : null,
        },
      });
    }
  }
  // and on the first image: a ring around an island (a hole with an island in it), and two separate blobs
  const ring = discs(W, H, [[60, 60, 30, 1], [60, 60, 15, 0], [60, 60, 6, 1]]);
  const pair = discs(W, H, [[120, 30, 10, 1], [135, 95, 12, 1]]);
  for (const [k, mask] of [ring, pair].entries()) {
    await env.deps.db.mask.create({
      data: { ...measureSegmentation(compressRle(encodeMask(mask)), images[0]!), projectId: source.id, imageId: images[0]!.id, stage: 'fully_automatic', provenance: k === 0 ? 'auto' : 'prefill', predictedIou: 0.875, stabilityScore: 0.9375 },
    });
  }
  const victim = await env.deps.db.mask.findFirstOrThrow({ where: { projectId: source.id } });
  await env.deps.db.mask.update({ where: { id: victim.id }, data: { deletedAt: new Date() } });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('export → import round trip', () => {
  let expected: Awaited<ReturnType<typeof maskSnapshot>>;
  let cocoJson: Buffer;
  const timings: string[] = [];

  beforeAll(async () => {
    expected = await maskSnapshot(source.id);
  });
  afterAll(() => console.log(`exports of ${IMAGES.length} images ${W}×${H}, ${expected.length} masks:\n  ${timings.join('\n  ')}`));

  const note = (label: string, run: RunRow) => {
    const result = run.result as { artifact: { bytes: number }; seconds: number };
    timings.push(`${label}: ${result.artifact.bytes} bytes, run ${run.finishedAt!.getTime() - run.startedAt!.getTime()} ms (job ${result.seconds} s)`);
  };

  it('covers every provenance, masks with holes and masks with several islands', () => {
    expect(new Set(expected.map((m) => m.provenance))).toEqual(new Set(PROVENANCES));
    const shapes = expected.map((m) => rleToCocoPolygons({ size: m.size as [number, number], counts: m.counts }, 0));
    expect(shapes.filter((s) => s.holes.length > 0).length).toBeGreaterThan(0);
    expect(shapes.filter((s) => s.outer.length > 1).length).toBeGreaterThan(0);
  });

  it('exports COCO RLE as one JSON and reproduces every mask bit for bit on import, idempotently', async () => {
    const run = await startExport(source.id, { format: 'coco-rle', includeImages: false });
    note('coco-rle (json, no images)', run);
    const res = await download(run.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+-coco-rle\.json"$/);
    expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    cocoJson = res.bytes;
    const coco = JSON.parse(cocoJson.toString('utf8'));
    expect(coco.categories).toEqual([{ id: 1, name: 'object', supercategory: 'object' }]);
    expect(coco.images).toHaveLength(IMAGES.length);
    expect(coco.annotations).toHaveLength(expected.length); // the deleted mask stays out
    const first = coco.annotations[0];
    expect(first).toMatchObject({ category_id: 1, iscrowd: 0, segmentation: { size: [H, W], counts: expect.any(String) } });
    expect(typeof first.area).toBe('number');
    expect((run.result as { annotations: number }).annotations).toBe(expected.length);
    expect(run.done).toBe(run.total);

    const target = await newProjectWithImages();
    const imported = await importAndWait(target.id, 'coco', cocoJson);
    expect(imported.status, imported.error ?? '').toBe('succeeded');
    expect(imported.result).toMatchObject({ annotations: { total: expected.length, imported: expected.length, skipped: 0, failed: 0 }, matchedBy: { sha256: IMAGES.length } });
    const got = await maskSnapshot(target.id);
    expect(got).toEqual(expected);
    for (const [i, m] of got.entries()) expectSameBits(expected[i]!, m);
    const counters = await env.deps.db.stageCounter.findMany({ where: { projectId: target.id } });
    const counted = counters.reduce((s, c) => s + c.masksManual + c.masksPrefill + c.masksAuto, 0);
    expect(counted).toBe(expected.length);

    // importing the same file again adds nothing
    const again = await importAndWait(target.id, 'coco', gzipSync(cocoJson)); // gzipped is read too
    expect(again.result).toMatchObject({ annotations: { imported: 0, skipped: expected.length, failed: 0 } });
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(expected.length);
  });

  it('exports SA-1B (sa_<id>.jpg + sa_<id>.json) as a tar and imports it back bit for bit', async () => {
    const run = await startExport(source.id, { format: 'sa1b', includeImages: true });
    note('sa1b (tar with images)', run);
    const res = await download(run.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const entries = await tarEntries(res.bytes);
    const images = await env.deps.db.image.findMany({ where: { projectId: source.id }, orderBy: { id: 'asc' } });
    for (const image of images) {
      expect(entries.has(`sa_${image.id}.jpg`)).toBe(true);
      const record = JSON.parse(entries.get(`sa_${image.id}.json`)!.toString('utf8'));
      expect(record.image).toMatchObject({ image_id: image.id, width: W, height: H, file_name: `sa_${image.id}.jpg` });
    }
    expect(entries.has('exchange.json')).toBe(true);

    const target = await newProjectWithImages();
    const imported = await importAndWait(target.id, 'sa1b', res.bytes);
    expect(imported.status, imported.error ?? '').toBe('succeeded');
    expect(imported.result).toMatchObject({ annotations: { total: expected.length, imported: expected.length, failed: 0 }, matchedBy: { sha256: IMAGES.length } });
    const got = await maskSnapshot(target.id);
    expect(got).toEqual(expected);
    for (const [i, m] of got.entries()) expectSameBits(expected[i]!, m);

    // the same masks from the COCO export are recognised as already there
    const cross = await importAndWait(target.id, 'coco', cocoJson);
    expect(cross.result).toMatchObject({ annotations: { imported: 0, skipped: expected.length } });

    // a plain SA-1B tar (no sidecar): images are recognised by the bytes of sa_<id>.jpg, so the
    // PNG that the export re-encoded is not found, and says so
    const plain = await newProjectWithImages();
    const plainRun = await importAndWait(plain.id, 'sa1b', await packTar([...entries].filter(([name]) => name !== 'exchange.json')));
    const pngId = images[2]!.id;
    expect(plainRun.result).toMatchObject({ matchedBy: { sha256: 2, fileName: 0 }, images: { unmatched: 1 } });
    expect((plainRun.result as { errors: string[] }).errors).toEqual([expect.stringMatching(new RegExp(`"sa_${pngId}.jpg" matches no image of the project`))]);

    // a single per-image JSON is an SA-1B import too (matched by file name)
    const lone = await newProjectWithImages();
    const loneImage = await env.deps.db.image.findFirstOrThrow({ where: { projectId: lone.id }, orderBy: { id: 'asc' } });
    const record = JSON.parse(entries.get(`sa_${images[0]!.id}.json`)!.toString('utf8'));
    record.image.file_name = loneImage.fileName;
    const single = await importAndWait(lone.id, 'sa1b', Buffer.from(JSON.stringify(record)));
    expect(single.result).toMatchObject({ annotations: { imported: record.annotations.length, failed: 0 }, matchedBy: { fileName: 1 } });
  });

  it('exports COCO polygons: exact at tolerance 0 (holes through segmentation_holes), measured IoU when simplified', async () => {
    const exact = await startExport(source.id, { format: 'coco-polygon', includeImages: true });
    note('coco-polygon tol 0 (tar with images)', exact);
    const res = await download(exact.id);
    const entries = await tarEntries(res.bytes);
    expect([...entries.keys()].filter((k) => k.startsWith('images/'))).toHaveLength(IMAGES.length);
    const coco = JSON.parse(entries.get('annotations/instances.json')!.toString('utf8'));
    expect(coco.annotations.every((a: { segmentation: unknown }) => Array.isArray(a.segmentation))).toBe(true);
    const target = await newProjectWithImages();
    const imported = await importAndWait(target.id, 'coco', res.bytes);
    expect(imported.status, imported.error ?? '').toBe('succeeded');
    expect(await maskSnapshot(target.id)).toEqual(expected);

    // what a reader that ignores our hole rings sees (pycocotools: union of the rings), and 1 px simplification
    const holeless = { ...coco, annotations: coco.annotations.map(({ segmentation_holes: _, ...a }: Record<string, unknown>) => ({ ...a, id: `noholes-${a['id']}` })) };
    const simplifiedRun = await startExport(source.id, { format: 'coco-polygon', includeImages: false, polygonTolerance: 1 });
    note('coco-polygon tol 1 (json)', simplifiedRun);
    const simplified = (await download(simplifiedRun.id)).bytes;
    const report: string[] = [];
    for (const [label, body] of [
      ['holes filled (COCO reader)', Buffer.from(JSON.stringify(holeless))],
      ['1 px tolerance', simplified],
    ] as const) {
      const lossy = await newProjectWithImages();
      const run = await importAndWait(lossy.id, 'coco', body);
      expect(run.status, run.error ?? '').toBe('succeeded');
      const got = await maskSnapshot(lossy.id);
      expect(got).toHaveLength(expected.length);
      const ious = expected.map((m) => {
        const best = got.filter((g) => g.image === m.image).map((g) => rleIou({ size: m.size as [number, number], counts: m.counts }, { size: g.size as [number, number], counts: g.counts }));
        return Math.max(...best);
      });
      const exactCount = ious.filter((v) => v === 1).length;
      const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
      report.push(`${label}: ${exactCount}/${ious.length} masks exact, mean IoU ${mean.toFixed(4)}, min ${Math.min(...ious).toFixed(4)}`);
      expect(mean).toBeGreaterThan(0.9);
      expect(exactCount).toBeLessThan(ious.length); // lossy by construction on these scenes
    }
    console.log(`coco-polygon lossy variants:\n  ${report.join('\n  ')}`);
  });
});

describe('bad input loses nothing', () => {
  let target: { id: string; imageIds: number[] };
  let before: number;
  beforeAll(async () => {
    target = await newProjectWithImages();
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: target.imageIds[0]! } });
    const scene = generateScene({ seed: IMAGES[0]!.seed, width: W, height: H });
    await env.deps.db.mask.create({ data: { ...measureSegmentation(compressRle(encodeMask(scene.instances[0]!.mask)), image), projectId: target.id, imageId: image.id, stage: 'assisted_manual', provenance: 'manual' } });
    before = await env.deps.db.mask.count({ where: { projectId: target.id } });
  });

  it('fails a malformed JSON file as a whole with a clear message', async () => {
    const run = await importAndWait(target.id, 'coco', Buffer.from('{"images": [ {"id": 1,'));
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/is not valid JSON/);
    const wrongFormat = await importAndWait(target.id, 'coco', Buffer.from(JSON.stringify({ image: { image_id: 1 }, annotations: [] })));
    expect(wrongFormat.error).toMatch(/import it with format=sa1b/);
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(before);
  });

  it('imports the good annotations and reports each bad one: malformed RLE, wrong size, unknown image', async () => {
    const image = await env.deps.db.image.findUniqueOrThrow({ where: { id: target.imageIds[1]! } });
    const scene = generateScene({ seed: IMAGES[1]!.seed, width: W, height: H });
    const good = compressRle(encodeMask(scene.instances[0]!.mask));
    const doc = {
      images: [
        { id: 1, file_name: image.fileName, width: W, height: H },
        { id: 2, file_name: 'not-in-project.jpg', width: W, height: H },
      ],
      annotations: [
        { id: 1, image_id: 1, segmentation: good },
        { id: 2, image_id: 1, segmentation: { size: [H, W], counts: 'not!rle' } },
        { id: 3, image_id: 1, segmentation: { size: [H + 1, W], counts: compressRle({ size: [H + 1, W], counts: [W * (H + 1)] }).counts } },
        { id: 4, image_id: 2, segmentation: good },
      ],
    };
    const run = await importAndWait(target.id, 'coco', Buffer.from(JSON.stringify(doc)));
    expect(run.status).toBe('succeeded');
    const result = run.result as { annotations: Record<string, number>; errors: string[] };
    expect(result.annotations).toEqual({ total: 4, imported: 1, skipped: 0, failed: 3 });
    expect(result.errors).toEqual([
      expect.stringMatching(/annotation 2: malformed segmentation/),
      expect.stringMatching(/annotation 3: the mask is 160×121 but the image is 160×120/),
      expect.stringMatching(/"not-in-project.jpg" matches no image of the project/),
    ]);
    expect(run.error).toMatch(/3 of 4 annotations were not imported/);
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(before + 1);
  });

  it('fails a file whose every annotation is bad, keeping what was stored', async () => {
    const doc = { images: [{ id: 7, file_name: 'ghost.jpg' }], annotations: [{ id: 1, image_id: 7, segmentation: [[0, 0, 5, 0, 5, 5]] }] };
    const run = await importAndWait(target.id, 'coco', Buffer.from(JSON.stringify(doc)));
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/nothing was imported .*"ghost.jpg" matches no image/);
    expect(await env.deps.db.mask.count({ where: { projectId: target.id } })).toBe(before + 1);
  });
});

describe('access and readiness', () => {
  it('refuses annotators: no export, no download, no import', async () => {
    const start = await trpcMutation(api.url, 'runs.start', { kind: 'export', projectId: source.id, format: 'coco-rle' }, annotatorCookie);
    expect(start.error?.data.httpStatus).toBe(403);
    const run = await env.deps.db.run.findFirstOrThrow({ where: { projectId: source.id, kind: 'export', status: 'succeeded' } });
    const res = await download(run.id, annotatorCookie);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.bytes.toString()).error.message).toMatch(/^exporting annotations needs the manager role in this project or the ops or admin role; you are an annotator in this project$/);
    const upload = await importFile(source.id, 'coco', Buffer.from('{}'), annotatorCookie);
    expect(upload.status).toBe(403);
    expect((await fetch(`${api.url}/api/runs/${run.id}/artifact`)).status).toBe(401);
    expect((await download(run.id, opsCookie)).status).toBe(200);
  });

  it('says why an artifact cannot be downloaded yet (409) or at all (404)', async () => {
    const queued = await createRun(env.deps, { kind: 'export', projectId: source.id, createdById: ops.id, params: { projectId: source.id, format: 'sa1b' } });
    const notReady = await download(queued.id);
    expect(notReady.status).toBe(409);
    expect(JSON.parse(notReady.bytes.toString()).error.message).toMatch(/still queued .*download it when it has succeeded/);
    await env.deps.db.run.update({ where: { id: queued.id }, data: { status: 'failed', error: 'disk full' } });
    expect(JSON.parse((await download(queued.id)).bytes.toString()).error.message).toMatch(/failed: disk full/);
    const ingest = await env.deps.db.run.findFirstOrThrow({ where: { kind: 'import' } });
    expect((await download(ingest.id)).status).toBe(404);
    const unknownFormat = await importFile(source.id, 'yaml', Buffer.from('{}'));
    expect(unknownFormat.status).toBe(400);
    expect(unknownFormat.body.error.message).toMatch(/use \?format=coco or \?format=sa1b/);
  });

  it('stops an export that ops cancels between images and stores no artifact', async () => {
    const run = await createRun(env.deps, { kind: 'export', projectId: source.id, createdById: ops.id, params: { projectId: source.id, format: 'coco-rle', includeImages: true } });
    // ops cancels while the first image is being packed
    const blobs = Object.create(env.deps.blobs) as EngineDeps['blobs'];
    blobs.createReadStream = async (key, range) => {
      await env.deps.db.run.update({ where: { id: run.id }, data: { cancelRequestedAt: new Date() } });
      return env.deps.blobs.createReadStream(key, range);
    };
    await runExport({ ...env.deps, blobs }, { runId: run.id }, { attempt: 1 });
    const after = await env.deps.db.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.status).toBe('cancelled');
    expect(after.done).toBeLessThan(after.total);
    expect(await env.deps.blobs.list(`exports/${run.id}`)).toEqual([]);
  });
});
