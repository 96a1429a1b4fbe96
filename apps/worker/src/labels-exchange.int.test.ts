// Labels through export and import (API → Redis → worker → blob store → API): COCO writes the
// project's labels as `categories` and each mask's `category_id`, SA-1B carries the label by name
// on each annotation (and the set in exchange.json); importing either into a fresh project gives the
// same masks with the same labels — names, colours, order — and older or foreign files map sensibly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { createLogger } from '@dataengine/config';
import { measureSegmentation } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, syntheticImageBytes, trpcMutation, uploadBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import { startWorker, type RunningWorker } from './start-worker';

const W = 160;
const H = 120;
const SEEDS = [41, 42];
const LABELS = [
  { name: 'person', color: '#e6194b' },
  { name: 'car', color: '#3cb44b' },
  { name: 'tree', color: '#123456' }, // carried by no mask: still part of the set
];

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let worker: RunningWorker;
let manager: MadeUser;
let cookie: string;
let source: string;
const imageBytes: Buffer[] = [];

type RunRow = Awaited<ReturnType<TestEnv['deps']['db']['run']['findUniqueOrThrow']>>;

async function finished(runId: string): Promise<RunRow> {
  return waitFor(async () => {
    const run = await env.deps.db.run.findUniqueOrThrow({ where: { id: runId } });
    return ['succeeded', 'failed', 'cancelled'].includes(run.status) ? run : null;
  }, `run ${runId} to finish`, 30_000);
}

async function newProject(): Promise<string> {
  const project = await makeProject(env.deps.db, { createdBy: manager });
  for (const [i, bytes] of imageBytes.entries()) expect((await uploadBytes(api.url, project.id, bytes, cookie, `scene-${i}.jpg`)).status).toBe(201);
  await waitFor(async () => (await env.deps.db.image.count({ where: { projectId: project.id, status: 'ready' } })) === SEEDS.length, 'images to be ingested');
  return project.id;
}

async function exportBytes(projectId: string, params: Record<string, unknown>): Promise<Buffer> {
  const res = await trpcMutation<{ id: string }>(api.url, 'runs.start', { kind: 'export', projectId, ...params }, cookie);
  expect(res.status, JSON.stringify(res.error)).toBe(200);
  const run = await finished(res.data!.id);
  expect(run.status, run.error ?? '').toBe('succeeded');
  return Buffer.from(await (await fetch(`${api.url}/api/runs/${run.id}/artifact`, { headers: { cookie } })).arrayBuffer());
}

async function importBytes(projectId: string, format: 'coco' | 'sa1b', body: Uint8Array): Promise<RunRow> {
  const res = await fetch(`${api.url}/api/projects/${projectId}/import?format=${format}`, { method: 'POST', headers: { cookie, 'content-type': 'application/octet-stream' }, body: body as unknown as BodyInit });
  const answer = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(answer)).toBe(202);
  return finished(answer.id);
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

const labelSet = async (projectId: string) =>
  (await env.deps.db.label.findMany({ where: { projectId }, orderBy: { position: 'asc' } })).map((l) => ({ name: l.name, color: l.color, position: l.position }));

/** Each mask by image content and pixels, with its label's name. */
async function labelledMasks(projectId: string) {
  const masks = await env.deps.db.mask.findMany({ where: { projectId, deletedAt: null }, include: { image: { select: { contentHash: true } }, label: { select: { name: true } } } });
  return masks.map((m) => ({ image: m.image.contentHash, counts: m.rleCounts, provenance: m.provenance, label: m.label?.name ?? null })).sort((a, b) => (a.image + a.counts < b.image + b.counts ? -1 : 1));
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  worker = await startWorker(env.config, createLogger({ service: 'test-worker' }, 'error'));
  manager = await makeUser(env.deps.db, { role: 'manager' });
  cookie = await loginCookie(api.url, manager.email, manager.password);
  for (const seed of SEEDS) imageBytes.push(await syntheticImageBytes({ seed, width: W, height: H, format: 'jpeg' }));

  // the source project: its label set, and every synthetic instance as a mask labelled person, car or nothing in turn
  source = await newProject();
  for (const label of LABELS) expect((await trpcMutation(api.url, 'labels.create', { projectId: source, ...label }, cookie)).status).toBe(200);
  const labels = await env.deps.db.label.findMany({ where: { projectId: source }, orderBy: { position: 'asc' } });
  const images = await env.deps.db.image.findMany({ where: { projectId: source }, orderBy: { id: 'asc' } });
  let n = 0;
  for (const [i, image] of images.entries()) {
    for (const instance of generateScene({ seed: SEEDS[i]!, width: W, height: H }).instances) {
      const turn = n++ % 3;
      await env.deps.db.mask.create({
        data: {
          ...measureSegmentation(compressRle(encodeMask(instance.mask)), image),
          projectId: source,
          imageId: image.id,
          stage: turn === 2 ? 'fully_automatic' : 'assisted_manual',
          provenance: turn === 2 ? 'auto' : 'manual',
          labelId: turn === 2 ? null : labels[turn]!.id,
        },
      });
    }
  }
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.close();
});

describe('COCO with labels', () => {
  let coco: Buffer;
  let expected: Awaited<ReturnType<typeof labelledMasks>>;

  beforeAll(async () => {
    expected = await labelledMasks(source);
    coco = await exportBytes(source, { format: 'coco-rle', includeImages: false });
  });

  it('writes the label set as categories (colour beside the name) and each mask\'s category_id; unlabelled masks under "object"', async () => {
    const doc = JSON.parse(coco.toString('utf8'));
    expect(doc.categories).toEqual([
      { id: 1, name: 'person', supercategory: '', color: '#e6194b' },
      { id: 2, name: 'car', supercategory: '', color: '#3cb44b' },
      { id: 3, name: 'tree', supercategory: '', color: '#123456' },
      { id: 4, name: 'object', supercategory: 'object' },
    ]);
    const byId = new Map<number, string | null>([
      [1, 'person'],
      [2, 'car'],
      [3, 'tree'],
      [4, null],
    ]);
    const written = (doc.annotations as { id: number; category_id: number }[]).map((a) => byId.get(a.category_id));
    const stored = await env.deps.db.mask.findMany({ where: { projectId: source }, include: { label: true }, orderBy: { id: 'asc' } });
    expect(written).toEqual(stored.map((m) => m.label?.name ?? null));
    expect(new Set(written)).toEqual(new Set(['person', 'car', null]));
  });

  it('imports back identically into a fresh project: the same masks with the same labels, the same set in the same order', async () => {
    const target = await newProject();
    const run = await importBytes(target, 'coco', coco);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.result).toMatchObject({ annotations: { imported: expected.length, failed: 0 }, labels: { created: ['person', 'car', 'tree'] } });
    expect(await labelSet(target)).toEqual(await labelSet(source));
    expect(await labelledMasks(target)).toEqual(expected);

    // again: nothing new, no second set of labels
    const again = await importBytes(target, 'coco', coco);
    expect(again.result).toMatchObject({ annotations: { imported: 0, skipped: expected.length }, labels: { created: [] } });
    expect(await labelSet(target)).toEqual(await labelSet(source));
  });

  it('matches a project\'s own labels by name regardless of case (they keep their colour) and appends the missing ones', async () => {
    const target = await newProject();
    expect((await trpcMutation(api.url, 'labels.create', { projectId: target, name: 'Car', color: '#000000' }, cookie)).status).toBe(200);
    const run = await importBytes(target, 'coco', coco);
    expect(run.result).toMatchObject({ labels: { created: ['person', 'tree'] } });
    expect(await labelSet(target)).toEqual([
      { name: 'Car', color: '#000000', position: 0 },
      { name: 'person', color: '#e6194b', position: 1 },
      { name: 'tree', color: '#123456', position: 2 },
    ]);
    expect((await labelledMasks(target)).map((m) => m.label)).toEqual(expected.map((m) => (m.label === 'car' ? 'Car' : m.label)));
  });

  it('imports a class-agnostic export (the one "object" category) unlabelled; an undefined category_id fails that annotation alone', async () => {
    const doc = JSON.parse(coco.toString('utf8'));
    const agnostic = { ...doc, categories: [{ id: 1, name: 'object', supercategory: 'object' }], annotations: doc.annotations.map((a: object) => ({ ...a, category_id: 1 })) };
    const target = await newProject();
    const run = await importBytes(target, 'coco', Buffer.from(JSON.stringify(agnostic)));
    expect(run.status).toBe('succeeded');
    expect(await labelSet(target)).toEqual([]);
    expect((await labelledMasks(target)).every((m) => m.label === null)).toBe(true);

    const broken = { ...doc, annotations: doc.annotations.map((a: { id: number }, i: number) => (i === 0 ? { ...a, category_id: 99 } : a)) };
    const other = await newProject();
    const partial = await importBytes(other, 'coco', Buffer.from(JSON.stringify(broken)));
    expect(partial.result).toMatchObject({ annotations: { imported: expected.length - 1, failed: 1 } });
    expect((partial.result as { errors: string[] }).errors).toEqual([expect.stringMatching(/annotation \d+: its category_id 99 is not among the file's categories/)]);
  });
});

describe('SA-1B with labels', () => {
  it('carries each mask\'s label by name (null when it has none) and the set in exchange.json; imports back identically', async () => {
    const expected = await labelledMasks(source);
    const bytes = await exportBytes(source, { format: 'sa1b', includeImages: false });
    const entries = await tarEntries(bytes);
    const sidecar = JSON.parse(entries.get('exchange.json')!.toString('utf8'));
    expect(sidecar.labels).toEqual(LABELS);
    const records = [...entries].filter(([name]) => /^sa_\d+\.json$/.test(name)).map(([, body]) => JSON.parse(body.toString('utf8')));
    const written = records.flatMap((r: { annotations: { label: string | null }[] }) => r.annotations.map((a) => a.label));
    expect(new Set(written)).toEqual(new Set(['person', 'car', null]));

    const target = await newProject();
    const run = await importBytes(target, 'sa1b', bytes);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(await labelSet(target)).toEqual(await labelSet(source));
    expect(await labelledMasks(target)).toEqual(expected);

    // a plain SA-1B file with labels but no sidecar: the names become labels in the order met, palette colours
    const plain = await newProject();
    const image = await env.deps.db.image.findFirstOrThrow({ where: { projectId: plain }, orderBy: { id: 'asc' } });
    const record = { ...records[0], image: { ...records[0].image, file_name: image.fileName } };
    const single = await importBytes(plain, 'sa1b', Buffer.from(JSON.stringify(record)));
    expect(single.status, single.error ?? '').toBe('succeeded');
    const names = [...new Set(record.annotations.map((a: { label: string | null }) => a.label).filter(Boolean))];
    expect((await labelSet(plain)).map((l) => l.name)).toEqual(names);
  });
});
