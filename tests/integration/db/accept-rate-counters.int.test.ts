// The accept-rate counters (migration 20261218090000_accept_rate_counters): after each step of a
// project's life — manual saves, prefill inserts, an import-shaped bulk insert, pixel edits,
// deletes, submissions, re-opens, review accept and reject, a moved checkpoint, bulk deletes,
// cascades — the counters the dashboard reads equal the raw count over the masks that the
// dashboard ran before them (REFERENCE_SQL: the accept-rate definition, computed from the rows).
// Every trigger is exercised, so a missing one shows as a difference. Also: the migration's
// backfill of masks that existed before it, and a mask write racing a submission of its image.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptRatesByCheckpoint,
  decideReview,
  deleteMask,
  ensureTask,
  reopenLastSubmitted,
  requestNextTask,
  saveMask,
  setProjectStage,
  setReviewSettings,
  submitTask,
  updateMask,
} from '@dataengine/engine';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { compressRle, encodeMask } from '@dataengine/segment';
import { addSyntheticImages, createTestEnv, dropSchema, makeProject, makeUser, TEST_DATABASE_URL, testSchemaName, type MadeUser, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 160, height: 120 };
const MIGRATION = '20261218090000_accept_rate_counters';

/**
 * The accept rates as the dashboard computed them before the counters: every model mask of the
 * project, its fate by the accept-rate definition (ACCEPT_RATE_DEFINITION), counted.
 */
const REFERENCE_SQL = `
  SELECT m.checkpoint_id::text AS checkpoint_id, m.provenance::text AS provenance,
         CASE
           WHEN m.review_verdict = 'rejected' THEN 'rejected'
           WHEN m.deleted_at IS NOT NULL THEN 'deleted'
           WHEN m.edited_at IS NOT NULL THEN 'edited'
           WHEN m.review_verdict = 'accepted' THEN 'kept'
           WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.image_id = m.image_id AND t.status = 'submitted' AND t.submitted_at >= m.created_at) THEN 'kept'
           ELSE 'pending'
         END AS fate,
         count(*)::int AS n
    FROM masks m
   WHERE m.project_id = $1::uuid AND m.provenance IN ('prefill', 'auto') AND m.checkpoint_id IS NOT NULL
   GROUP BY 1, 2, 3`;

type FateCounts = Record<string, number>;
type AcceptRateRow = Awaited<ReturnType<typeof acceptRatesByCheckpoint>>[number];

/** `checkpoint|provenance|fate → masks`, zero counts left out. */
function byFate(rows: { checkpoint_id: string; provenance: string; fate: string; n: number }[]): FateCounts {
  const out: FateCounts = {};
  for (const r of rows) if (r.n !== 0) out[`${r.checkpoint_id}|${r.provenance}|${r.fate}`] = (out[`${r.checkpoint_id}|${r.provenance}|${r.fate}`] ?? 0) + r.n;
  return out;
}

function fromRates(rates: AcceptRateRow[]): FateCounts {
  const out: FateCounts = {};
  for (const r of rates) {
    for (const fate of ['kept', 'edited', 'deleted', 'rejected', 'pending'] as const) if (r[fate] !== 0) out[`${r.checkpointId}|${r.provenance}|${fate}`] = r[fate];
  }
  return out;
}

function rect(x0: number, y0: number, w: number, h: number) {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = y0; y < Math.min(SIZE.height, y0 + h); y++) for (let x = x0; x < Math.min(SIZE.width, x0 + w); x++) data[y * SIZE.width + x] = 1;
  return compressRle(encodeMask({ ...SIZE, data }));
}

describe('accept-rate counters through the engine', () => {
  let env: TestEnv;
  let manager: MadeUser;
  let annA: MadeUser;
  let annB: MadeUser;
  let projectId: string;
  let imageIds: number[];
  const ck: string[] = [];
  const seen = new Set<string>();

  const reference = async (id = projectId) => byFate(await env.deps.db.$queryRawUnsafe(REFERENCE_SQL, id));

  /** The counters equal the raw count (and the step left something to count). */
  async function expectExact(step: string) {
    const want = await reference();
    expect(fromRates(await acceptRatesByCheckpoint(env.deps.db, projectId)), step).toEqual(want);
    for (const key of Object.keys(want)) seen.add(key.split('|')[2]!);
  }

  /** Model masks as prefill and autogen store them: one createMany per image. */
  async function machineMasks(imageId: number, provenance: 'prefill' | 'auto', checkpointId: string, n: number) {
    const stage = provenance === 'prefill' ? 'semi_automatic' : 'fully_automatic';
    await env.deps.db.mask.createMany({
      data: Array.from({ length: n }, (_, k) => {
        const rle = rect(2 + k * 15, 60, 12, 12);
        return { projectId, imageId, stage, provenance, rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 2 + k * 15, bboxY: 60, bboxW: 12, bboxH: 12, area: 144, checkpointId, predictedIou: 0.9, stabilityScore: 0.95 } as const;
      }),
    });
  }

  /** An import batch's statement shape: one INSERT … SELECT over unnest'ed columns, known rows skipped. */
  async function importRows(images: number[], perImage: number) {
    const rows = images.flatMap((imageId, i) => Array.from({ length: perImage }, (_, k) => ({ imageId, k, provenance: (k + i) % 3 === 0 ? 'auto' : 'prefill', checkpointId: ck[(k + i) % 2]! })));
    const rle = rect(100, 5, 20, 20);
    return env.deps.db.$executeRawUnsafe(
      `INSERT INTO masks (project_id, image_id, stage, provenance, rle_counts, rle_height, rle_width, bbox_x, bbox_y, bbox_w, bbox_h, area, checkpoint_id, client_key, created_at)
       SELECT $1::uuid, t.image_id, 'semi_automatic', t.provenance::provenance, $2, $3, $4, 100, 5, 20, 20, 400, t.checkpoint_id::uuid, t.client_key, now() - interval '1 day'
         FROM unnest($5::int[], $6::text[], $7::text[], $8::text[]) AS t(image_id, provenance, checkpoint_id, client_key)
       ON CONFLICT (image_id, client_key) DO NOTHING`,
      projectId,
      rle.counts,
      SIZE.height,
      SIZE.width,
      rows.map((r) => r.imageId),
      rows.map((r) => r.provenance),
      rows.map((r) => r.checkpointId),
      rows.map((r) => `import-${r.imageId}-${r.k}`),
    );
  }

  const liveMasksOf = (imageId: number, provenance: 'prefill' | 'auto' | 'manual' = 'prefill') =>
    env.deps.db.mask.findMany({ where: { imageId, provenance, deletedAt: null }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    env = await createTestEnv();
    manager = await makeUser(env.deps.db, { role: 'manager' });
    annA = await makeUser(env.deps.db, { role: 'annotator' });
    annB = await makeUser(env.deps.db, { role: 'annotator' });
    projectId = (await makeProject(env.deps.db, { createdBy: manager, members: [{ user: annA, role: 'annotator' }, { user: annB, role: 'annotator' }] })).id;
    imageIds = await addSyntheticImages(env.deps, manager, { projectId, seeds: [41, 42, 43, 44, 45, 46, 47, 48], ...SIZE });
    for (const i of [1, 2, 3]) {
      ck.push((await env.deps.db.checkpoint.create({ data: { name: `c${i}`, bundleKey: `checkpoints/c${i}`, bundleHash: `counters-${i}-${projectId}`, manifest: {}, status: 'retired', projectId } })).id);
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  async function annotate(who: MadeUser, imageId: number, work: () => Promise<void>) {
    const task = await requestNextTask(env.deps, who, { projectId });
    expect(task?.image.id).toBe(imageId);
    await work();
    await submitTask(env.deps, who, { taskId: task!.id, activeMs: 10_000 });
  }

  it('stay equal to the raw count over the masks through every kind of write', async () => {
    // stage 1: manual masks only (none counted), one image submitted
    await setReviewSettings(env.deps, manager, { projectId, reviewSampleRate: 0 });
    await env.deps.db.task.updateMany({ where: { imageId: imageIds[0]! }, data: { priority: 10 } });
    await annotate(annA, imageIds[0]!, async () => {
      await saveMask(env.deps, annA, { imageId: imageIds[0]!, segmentation: rect(10, 10, 20, 20), activeMs: 5_000, clicks: 2 });
    });
    await expectExact('manual save and submit');

    // stage 2: prefill masks on four images (image 1 was submitted before them: they stay pending)
    await setProjectStage(env.deps, manager, { projectId, stage: 'semi_automatic' });
    await setReviewSettings(env.deps, manager, { projectId, reviewSampleRate: 1, reviewLaterStages: true });
    await env.deps.db.$transaction(async (tx) => {
      for (const [k, imageId] of imageIds.slice(0, 4).entries()) await ensureTask(tx, { projectId, imageId, stage: 'semi_automatic', priority: 10 - k });
    });
    for (const imageId of imageIds.slice(0, 4)) await machineMasks(imageId, 'prefill', ck[0]!, 4);
    await machineMasks(imageIds[3]!, 'auto', ck[1]!, 2);
    await expectExact('prefill inserts');

    // an import of 1,200 rows in one statement, then the same file again (every row skipped)
    expect(await importRows(imageIds.slice(4), 300)).toBe(1_200);
    await expectExact('import');
    expect(await importRows(imageIds.slice(4), 300)).toBe(0);
    await expectExact('import again');

    // annotator B on image 1: a pixel edit, a touch without a pixel change, a delete, a manual
    // mask, then the submission keeps the untouched prefill masks
    await annotate(annB, imageIds[0]!, async () => {
      const [a, b, c] = await liveMasksOf(imageIds[0]!);
      await updateMask(env.deps, annB, { maskId: a!.id.toString(), version: a!.version, segmentation: rect(40, 40, 15, 15), activeMs: 1_000, clicks: 1 });
      await updateMask(env.deps, annB, { maskId: b!.id.toString(), version: b!.version, segmentation: { size: [b!.rleHeight, b!.rleWidth], counts: b!.rleCounts }, activeMs: 500, clicks: 0 });
      await deleteMask(env.deps, annB, { maskId: c!.id.toString(), version: c!.version });
      await saveMask(env.deps, annB, { imageId: imageIds[0]!, segmentation: rect(70, 10, 20, 20), activeMs: 5_000, clicks: 2, checkpointId: ck[0]! });
      await expectExact('edits on a leased image');
    });
    await expectExact('submission');

    // a prefill mask made after the submission is pending; re-opening the image un-keeps the rest
    await machineMasks(imageIds[0]!, 'prefill', ck[0]!, 1);
    await expectExact('prefill after submission');
    const reopened = await reopenLastSubmitted(env.deps, annB, { projectId });
    expect(reopened?.image.id).toBe(imageIds[0]);
    await expectExact('re-open');
    await submitTask(env.deps, annB, { taskId: reopened!.id, activeMs: 1_000 });
    await expectExact('submitted again');

    // image 2 and 3 by annotator A; review: image 1 accepted with one mask rejected, image 2 rejected
    // (back to its annotator), image 3 accepted
    await annotate(annA, imageIds[1]!, async () => undefined);
    await annotate(annA, imageIds[2]!, async () => undefined);
    await expectExact('two more submissions');
    const reviews = await env.deps.db.review.findMany({ where: { projectId, status: 'pending' }, orderBy: { id: 'desc' } });
    const pendingOf = (imageId: number) => reviews.find((r) => r.imageId === imageId)!.id.toString();
    const [toReject] = await liveMasksOf(imageIds[0]!);
    await decideReview(env.deps, manager, { reviewId: pendingOf(imageIds[0]!), decision: 'accept', rejectMaskIds: [toReject!.id.toString()] });
    await expectExact('review accept with a rejected mask');
    await decideReview(env.deps, manager, { reviewId: pendingOf(imageIds[1]!), decision: 'reject', reason: 'the bench is missing' });
    await expectExact('review reject');
    await decideReview(env.deps, manager, { reviewId: pendingOf(imageIds[2]!), decision: 'accept' });
    await expectExact('review accept');

    // changes no use case makes today, but the table allows: another checkpoint or provenance,
    // a checkpoint deleted (its masks' checkpoint set to null), a submission time moved
    await env.deps.db.mask.updateMany({ where: { imageId: imageIds[4]!, provenance: 'prefill' }, data: { checkpointId: ck[2]! } });
    await env.deps.db.mask.updateMany({ where: { imageId: imageIds[5]!, provenance: 'auto' }, data: { provenance: 'prefill' } });
    await expectExact('checkpoint and provenance moved');
    await env.deps.db.checkpoint.delete({ where: { id: ck[2]! } });
    await expectExact('checkpoint deleted');
    await env.deps.db.task.updateMany({ where: { imageId: imageIds[2]!, stage: 'semi_automatic' }, data: { submittedAt: new Date(Date.now() - 3 * 86_400_000) } });
    await expectExact('submission time moved');
    await env.deps.db.task.createMany({ data: imageIds.slice(6).map((imageId) => ({ projectId, imageId, stage: 'fully_automatic' as const, status: 'submitted' as const, submittedAt: new Date() })) });
    await expectExact('tasks inserted as submitted');

    // bulk deletes: soft (one statement), hard, an image with its tasks, a submitted task
    await env.deps.db.mask.updateMany({ where: { imageId: imageIds[4]! }, data: { deletedAt: new Date() } });
    await expectExact('bulk soft delete');
    await env.deps.db.mask.deleteMany({ where: { imageId: imageIds[5]!, provenance: 'prefill' } });
    await expectExact('bulk hard delete');
    await env.deps.db.image.delete({ where: { id: imageIds[6]! } });
    await expectExact('image deleted with its masks and tasks');
    await env.deps.db.task.delete({ where: { imageId_stage: { imageId: imageIds[7]!, stage: 'fully_automatic' } } });
    await expectExact('submitted task deleted');

    expect([...seen].sort()).toEqual(['deleted', 'edited', 'kept', 'pending', 'rejected']);
    expect(Object.keys(await reference()).length).toBeGreaterThan(4);
  });

  it('go with their project', async () => {
    const other = (await makeProject(env.deps.db, { createdBy: manager })).id;
    const [imageId] = await addSyntheticImages(env.deps, manager, { projectId: other, seeds: [49], ...SIZE });
    const rle = rect(5, 5, 10, 10);
    await env.deps.db.task.create({ data: { projectId: other, imageId: imageId!, stage: 'semi_automatic', status: 'submitted', submittedAt: new Date() } });
    await env.deps.db.mask.createMany({
      data: [0, 1, 2].map(() => ({ projectId: other, imageId: imageId!, stage: 'semi_automatic' as const, provenance: 'prefill' as const, rleCounts: rle.counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: 5, bboxY: 5, bboxW: 10, bboxH: 10, area: 100, checkpointId: ck[0]!, createdAt: new Date(Date.now() - 60_000) })),
    });
    expect(fromRates(await acceptRatesByCheckpoint(env.deps.db, other))).toEqual({ [`${ck[0]}|prefill|kept`]: 3 });
    await env.deps.db.project.delete({ where: { id: other } });
    expect(await env.deps.db.acceptRateCounter.count({ where: { projectId: other } })).toBe(0);
    expect(await acceptRatesByCheckpoint(env.deps.db, other)).toEqual([]);
  });
});

describe(`migration ${MIGRATION}`, () => {
  const schema = testSchemaName('arcount');
  let tmp: string;
  let client: pg.Client;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'accept-rate-counters-'));
    client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await dropSchema(TEST_DATABASE_URL, schema);
    await rm(tmp, { recursive: true, force: true });
  });

  const referenceIn = async (projectId: string) => byFate((await client.query(REFERENCE_SQL, [projectId])).rows);
  const countersIn = async (projectId: string) =>
    byFate((await client.query('SELECT checkpoint_id::text AS checkpoint_id, provenance::text AS provenance, fate, sum(masks)::int AS n FROM accept_rate_counters WHERE project_id = $1 GROUP BY 1, 2, 3', [projectId])).rows);

  it('counts the masks that were there before it, then keeps counting', async () => {
    const before = path.join(tmp, 'before');
    for (const name of (await readdir(MIGRATIONS_DIR)).filter((n) => n < MIGRATION)) await cp(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
    await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: before });
    await client.query(`SET search_path TO "${schema}"`);
    const { rows: [user] } = await client.query<{ id: string }>(`INSERT INTO users (id, email, name, password_hash, role) VALUES (gen_random_uuid(), 'm@x', 'M', 'x', 'manager') RETURNING id`);
    const { rows: [project] } = await client.query<{ id: string }>(`INSERT INTO projects (id, name, slug, created_by_id) VALUES (gen_random_uuid(), 'Old', 'old', $1) RETURNING id`, [user!.id]);
    const projectId = project!.id;
    await client.query(
      `INSERT INTO checkpoints (id, name, bundle_key, bundle_hash, manifest, status, project_id)
       SELECT gen_random_uuid(), 'c' || g, 'b/' || g, 'h' || g, '{}', 'retired', $1 FROM generate_series(1, 2) g`,
      [projectId],
    );
    await client.query(
      `INSERT INTO images (project_id, content_hash, blob_key, file_name, mime, byte_size, width, height)
       SELECT $1, md5('i' || g), 'images/' || md5('i' || g), g || '.png', 'image/png', 1, 160, 120 FROM generate_series(1, 40) g`,
      [projectId],
    );
    // half the images submitted a day ago; masks made two days ago to now with every fate
    await client.query(
      `INSERT INTO tasks (project_id, image_id, stage, status, submitted_at)
       SELECT $1, id, 'semi_automatic', (CASE WHEN id % 2 = 0 THEN 'submitted' ELSE 'open' END)::task_status, CASE WHEN id % 2 = 0 THEN now() - interval '1 day' END FROM images`,
      [projectId],
    );
    await client.query(
      `INSERT INTO masks (project_id, image_id, stage, provenance, rle_counts, rle_height, rle_width, bbox_x, bbox_y, bbox_w, bbox_h, area, checkpoint_id, created_at, deleted_at, edited_at, review_verdict)
       SELECT $1, i.id, 'semi_automatic', (ARRAY['manual', 'prefill', 'auto'])[1 + g % 3]::provenance, 'PQ1', 120, 160, 0, 0, 1, 1, 1,
              CASE WHEN g % 3 <> 0 THEN c.ids[1 + g % 2] END, now() - (g % 5) * interval '12 hours',
              CASE WHEN g % 11 = 0 THEN now() END, CASE WHEN g % 7 = 0 THEN now() END,
              (CASE WHEN g % 13 = 0 THEN 'rejected' WHEN g % 17 = 0 THEN 'accepted' END)::mask_verdict
         FROM images i CROSS JOIN generate_series(1, 30) g CROSS JOIN (SELECT array_agg(id ORDER BY name) AS ids FROM checkpoints) c`,
      [projectId],
    );
    const want = await referenceIn(projectId);
    expect(new Set(Object.keys(want).map((k) => k.split('|')[2]))).toEqual(new Set(['kept', 'edited', 'deleted', 'rejected', 'pending']));

    await migrate({ connectionString: TEST_DATABASE_URL, schema, migrationsDir: MIGRATIONS_DIR });
    expect(await countersIn(projectId)).toEqual(want);

    await client.query(`UPDATE tasks SET status = 'submitted', submitted_at = now() WHERE status = 'open'`);
    await client.query(`UPDATE masks SET edited_at = now() WHERE id % 4 = 0`);
    await client.query(`DELETE FROM masks WHERE id % 9 = 0`);
    expect(await countersIn(projectId)).toEqual(await referenceIn(projectId));
  });

  it('counts a mask saved while its image is being submitted as the order of the two commits says', async () => {
    const { rows: [p] } = await client.query<{ project_id: string; image_id: number; checkpoint_id: string }>(
      `SELECT i.project_id, i.id AS image_id, (SELECT id FROM checkpoints ORDER BY name LIMIT 1) AS checkpoint_id
         FROM images i JOIN tasks t ON t.image_id = i.id ORDER BY i.id LIMIT 1`,
    );
    const other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query(`SET search_path TO "${schema}"`);
      await client.query(`UPDATE tasks SET status = 'leased', submitted_at = NULL WHERE image_id = $1`, [p!.image_id]);
      const insertMask = (db: pg.Client) =>
        db.query(
          `INSERT INTO masks (project_id, image_id, stage, provenance, rle_counts, rle_height, rle_width, bbox_x, bbox_y, bbox_w, bbox_h, area, checkpoint_id, created_at)
           VALUES ($1, $2, 'semi_automatic', 'prefill', 'PQ1', 120, 160, 0, 0, 1, 1, 1, $3, now() - interval '1 hour')`,
          [p!.project_id, p!.image_id, p!.checkpoint_id],
        );
      const submit = (db: pg.Client) => db.query(`UPDATE tasks SET status = 'submitted', submitted_at = now() WHERE image_id = $1`, [p!.image_id]);

      // the mask first (uncommitted) while the submission runs: the submission waits for it
      await client.query('BEGIN');
      await insertMask(client);
      await other.query('BEGIN');
      const submitting = submit(other);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query('COMMIT');
      await submitting;
      await other.query('COMMIT');
      expect(await countersIn(p!.project_id)).toEqual(await referenceIn(p!.project_id));

      // the re-open first (uncommitted) while a mask is saved: the save waits for it
      await other.query('BEGIN');
      await other.query(`UPDATE tasks SET status = 'leased', submitted_at = NULL WHERE image_id = $1`, [p!.image_id]);
      await client.query('BEGIN');
      const inserting = insertMask(client);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('COMMIT');
      await inserting;
      await client.query('COMMIT');
      expect(await countersIn(p!.project_id)).toEqual(await referenceIn(p!.project_id));

      // the submission first (uncommitted) while a pending mask is edited: the edit waits for it
      const { rows: [pending] } = await client.query<{ id: string }>(
        `SELECT id FROM masks WHERE image_id = $1 AND provenance = 'prefill' AND checkpoint_id IS NOT NULL AND deleted_at IS NULL AND edited_at IS NULL AND review_verdict IS NULL LIMIT 1`,
        [p!.image_id],
      );
      await other.query('BEGIN');
      await submit(other);
      await client.query('BEGIN');
      const editing = client.query('UPDATE masks SET edited_at = now() WHERE id = $1', [pending!.id]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('COMMIT');
      await editing;
      await client.query('COMMIT');
      expect(await countersIn(p!.project_id)).toEqual(await referenceIn(p!.project_id));
    } finally {
      await other.end();
    }
  });
});
