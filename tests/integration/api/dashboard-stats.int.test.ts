// The project manager's dashboard over the real API: masks saved, edited and deleted through the
// engine's use cases on simulated days; every number the API returns (and its CSV) is checked
// against a count over the rows themselves.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteMask, ingestImage, recordMaskCounters, requestNextTask, saveMask, setProjectStage, submitTask, updateMask, uploadImage, type EngineDeps, type ProjectStats, type StatsCsv } from '@dataengine/engine';
import { compressRle, encodeMask } from '@dataengine/segment';
import { createTestEnv, loginCookie, makeProject, makeUser, startTestApi, syntheticImageBytes, trpcQuery, type MadeUser, type TestEnv } from '@dataengine/testing';

const SIZE = { width: 64, height: 48 };
const DAYS = ['2024-03-01', '2024-03-02', '2024-03-04'];

let env: TestEnv;
let api: { url: string; close(): Promise<void> };
let projectId: string;
let manager: MadeUser;
let annA: MadeUser;
let annB: MadeUser;
let r0Id: string;
const cookies: Record<string, string> = {};
const imageIds: number[] = [];

/** A filled rectangle as COCO RLE of the test images' size. */
function rect(x0: number, y0: number, w: number, h: number) {
  const data = new Uint8Array(SIZE.width * SIZE.height);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * SIZE.width + x] = 1;
  return compressRle(encodeMask({ ...SIZE, data }));
}

/** The engine's clock at noon of a simulated day (the counters' day comes from it). */
const onDay = (day: string): EngineDeps => ({ ...env.deps, now: () => new Date(`${day}T12:00:00Z`) });

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
  manager = await makeUser(env.deps.db, { role: 'manager' });
  annA = await makeUser(env.deps.db, { role: 'annotator' });
  annB = await makeUser(env.deps.db, { role: 'annotator' });
  const ops = await makeUser(env.deps.db, { role: 'ops' });
  const otherManager = await makeUser(env.deps.db, { role: 'manager' });
  projectId = (await makeProject(env.deps.db, { createdBy: manager, name: 'Dashboard', members: [{ user: annA, role: 'annotator' }, { user: annB, role: 'annotator' }] })).id;
  for (let seed = 1; seed <= 4; seed++) {
    const { image } = await uploadImage(env.deps, manager, { projectId, fileName: `d${seed}.png`, body: Readable.from([await syntheticImageBytes({ seed, ...SIZE, format: 'png' })]) });
    if (seed <= 3) await ingestImage(env.deps, { imageId: image.id }); // the fourth stays pending
    imageIds.push(image.id);
  }
  const [r0, r1] = await Promise.all(
    ['r0', 'r1'].map((name, i) =>
      env.deps.db.checkpoint.create({ data: { name, bundleKey: `checkpoints/${name}`, bundleHash: `hash-${name}-${projectId}`, manifest: {}, status: i === 0 ? 'retired' : 'candidate', createdAt: new Date(Date.UTC(2024, 0, 1 + i)) } }),
    ),
  );

  r0Id = r0!.id;
  // stage 1: annotator A with r0 on day 1 (slow), with r1 on day 3 (fast); B without a model on day 2
  const saved = [];
  for (const [i, s] of [
    { who: annA, day: DAYS[0]!, ck: r0!.id, ms: 34_000, clicks: 7 },
    { who: annA, day: DAYS[0]!, ck: r0!.id, ms: 36_000, clicks: 9 },
    { who: annB, day: DAYS[1]!, ck: undefined, ms: 50_000, clicks: 12 },
    { who: annA, day: DAYS[2]!, ck: r1!.id, ms: 14_000, clicks: 3 },
    { who: annA, day: DAYS[2]!, ck: r1!.id, ms: 12_000, clicks: 2 },
  ].entries()) {
    saved.push(await saveMask(onDay(s.day), s.who, { imageId: imageIds[i % 2]!, segmentation: rect(i * 4, i * 3, 10, 8), activeMs: s.ms, clicks: s.clicks, checkpointId: s.ck }));
  }
  // A fixes their own mask on day 3 (time and clicks without a new mask), the manager deletes one of A's on day 3
  await updateMask(onDay(DAYS[2]!), annA, { maskId: saved[0]!.id, version: saved[0]!.version, segmentation: rect(0, 0, 12, 9), activeMs: 4_000, clicks: 1 });
  await deleteMask(onDay(DAYS[2]!), manager, { maskId: saved[4]!.id, version: saved[4]!.version });
  // A submits an image
  const task = await requestNextTask(onDay(DAYS[2]!), annA, { projectId });
  await submitTask(onDay(DAYS[2]!), annA, { taskId: task!.id, activeMs: 60_000, emptyConfirmed: true });

  // stage 2: B adds a mask; automatic masks as an autogen run stores them (no author, no time)
  await setProjectStage(env.deps, manager, { projectId, stage: 'semi_automatic' });
  await saveMask(onDay(DAYS[2]!), annB, { imageId: imageIds[2]!, segmentation: rect(30, 20, 9, 9), activeMs: 20_000, clicks: 4, checkpointId: r1!.id });
  await env.deps.db.$transaction(async (tx) => {
    for (let k = 0; k < 7; k++) {
      await tx.mask.create({ data: { projectId, imageId: imageIds[2]!, stage: 'semi_automatic', provenance: 'auto', rleCounts: rect(k * 5, 0, 4, 4).counts, rleHeight: SIZE.height, rleWidth: SIZE.width, bboxX: k * 5, bboxY: 0, bboxW: 4, bboxH: 4, area: 16, checkpointId: r1!.id } });
      await recordMaskCounters(tx, { projectId, stage: 'semi_automatic', provenance: 'auto', authorId: null, checkpointId: r1!.id, day: new Date() }, { masks: 1, activeMs: 0, clicks: 0 });
    }
  });
  // the engine's clock was simulated, the rows' own timestamps were not: give them the same day
  await env.deps.db.$executeRaw`UPDATE masks SET created_at = created_at - (now()::date - '2024-03-04'::date) * interval '1 day' WHERE project_id = ${projectId}::uuid`;
  for (const m of saved.slice(0, 3)) {
    const day = m.authorId === annB.id ? DAYS[1]! : DAYS[0]!;
    await env.deps.db.mask.update({ where: { id: BigInt(m.id) }, data: { createdAt: new Date(`${day}T12:00:00Z`) } });
  }

  for (const [key, user] of Object.entries({ manager, annA, ops, otherManager })) cookies[key] = await loginCookie(api.url, user.email, user.password);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

const statsAs = (who: string, path = 'stats.project') => trpcQuery<ProjectStats>(api.url, path, { projectId }, cookies[who]);
const csvAs = (who: string) => trpcQuery<StatsCsv>(api.url, 'stats.csv', { projectId }, cookies[who]);

/** The truth, counted over the rows (the dashboard reads counters instead). */
async function truth() {
  const db = env.deps.db;
  const q = <T>(sql: TemplateStringsArray, ...values: unknown[]) => db.$queryRaw<T[]>(sql, ...values);
  return {
    images: await q<{ status: string; n: number }>`SELECT status::text, count(*)::int n FROM images WHERE project_id = ${projectId}::uuid GROUP BY 1`,
    tasks: await q<{ stage: string; status: string; n: number }>`SELECT stage::text, status::text, count(*)::int n FROM tasks WHERE project_id = ${projectId}::uuid GROUP BY 1, 2`,
    masks: await q<{ stage: string; provenance: string; n: number }>`SELECT stage::text, provenance::text, count(*)::int n FROM masks WHERE project_id = ${projectId}::uuid AND deleted_at IS NULL GROUP BY 1, 2`,
    perImage: await q<{ id: number; n: number; auto: number }>`SELECT i.id, count(m.id)::int n, (count(m.id) FILTER (WHERE m.provenance = 'auto'))::int auto FROM images i LEFT JOIN masks m ON m.image_id = i.id AND m.deleted_at IS NULL WHERE i.project_id = ${projectId}::uuid AND i.status <> 'failed' GROUP BY i.id`,
    // people's masks (deleted ones included: their time was spent), by checkpoint, author and day
    effort: await q<{ checkpoint: string; author: string; day: string; stage: string; masks: number; ms: number; clicks: number }>`
      SELECT coalesce(checkpoint_id::text, '') checkpoint, author_id::text author, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, stage::text,
             count(*)::int masks, sum(active_ms)::int ms, sum(clicks)::int clicks
      FROM masks WHERE project_id = ${projectId}::uuid AND author_id IS NOT NULL GROUP BY 1, 2, 3, 4`,
    submitted: await q<{ author: string; n: number }>`SELECT assignee_id::text author, count(*)::int n FROM tasks WHERE project_id = ${projectId}::uuid AND status = 'submitted' GROUP BY 1`,
  };
}

const sum = <T>(rows: T[], pick: (r: T) => number) => rows.reduce((s, r) => s + pick(r), 0);

describe('stats.project', () => {
  it('counts images, tasks and masks as the rows do', async () => {
    const { status, data: stats } = await statsAs('manager');
    expect(status).toBe(200);
    const t = await truth();
    const img = (s: string) => t.images.find((r) => r.status === s)?.n ?? 0;
    expect(stats!.images).toEqual({ total: 4, pending: img('pending'), ready: img('ready'), failed: img('failed') });
    expect(stats!.images.ready).toBe(3);
    for (const stage of stats!.stages) {
      for (const [status, n] of Object.entries(stage.tasks)) expect(n, `${stage.stage} ${status}`).toBe(t.tasks.find((r) => r.stage === stage.stage && r.status === status)?.n ?? 0);
      for (const p of ['manual', 'prefill', 'auto'] as const) expect(stage.masks[p], `${stage.stage} ${p}`).toBe(t.masks.find((r) => r.stage === stage.stage && r.provenance === p)?.n ?? 0);
    }
    const s1 = stats!.stages.find((s) => s.stage === 'assisted_manual')!;
    expect(s1).toMatchObject({ imagesTotal: 4, imagesDone: 1, masks: { manual: 4, auto: 0, total: 4 } });
    expect(stats!.stages.find((s) => s.stage === 'semi_automatic')!.masks).toEqual({ manual: 1, prefill: 0, auto: 7, total: 8 });
  });

  it('has the masks-per-image histogram of the rows', async () => {
    const stats = (await statsAs('manager')).data!;
    const t = await truth();
    const inBucket = (n: number, b: { min: number; max: number | null }) => n >= b.min && (b.max === null || n <= b.max);
    for (const b of stats.masksPerImage) {
      expect(b.all, b.label).toBe(t.perImage.filter((r) => inBucket(r.n, b)).length);
      expect(b.auto, b.label).toBe(t.perImage.filter((r) => inBucket(r.auto, b)).length);
    }
    expect(sum(stats.masksPerImage, (b) => b.all)).toBe(4); // every non-failed image, pending included
  });

  it('has time and clicks per mask by stage, checkpoint, annotator and day as the masks sum them', async () => {
    const { effort } = (await statsAs('manager')).data!;
    const t = await truth();
    for (const c of effort.byCheckpoint) {
      const rows = t.effort.filter((r) => r.checkpoint === c.checkpointKey);
      expect([c.masks, c.activeMs, c.clicks], c.checkpointName).toEqual([sum(rows, (r) => r.masks), sum(rows, (r) => r.ms), sum(rows, (r) => r.clicks)]);
    }
    expect(effort.byCheckpoint.map((c) => [c.checkpointName, c.secondsPerMask])).toEqual([
      ['no model', 50],
      ['r0', 37], // (34 + 36 + 4 s of the fix) / 2 masks
      ['r1', 15.33], // (14 + 12 + 20) / 3
    ]);
    for (const s of effort.byStage) {
      const rows = t.effort.filter((r) => r.stage === s.stage);
      expect([s.masks, s.activeMs, s.clicks], s.stage).toEqual([sum(rows, (r) => r.masks), sum(rows, (r) => r.ms), sum(rows, (r) => r.clicks)]);
    }
    for (const a of effort.byAnnotator) {
      const rows = t.effort.filter((r) => r.author === a.authorId);
      expect([a.masks, a.activeMs, a.clicks], a.email).toEqual([sum(rows, (r) => r.masks), sum(rows, (r) => r.ms), sum(rows, (r) => r.clicks)]);
      expect(a.imagesSubmitted, a.email).toBe(t.submitted.find((r) => r.author === a.authorId)?.n ?? 0);
    }
    const a = effort.byAnnotator.find((x) => x.authorId === annA.id)!;
    expect(a).toMatchObject({ email: annA.email, masks: 4, activeDays: 2, imagesSubmitted: 1, imagesPerDay: 1 });
    expect(a.masksPerHour).toBeCloseTo(4 / (100_000 / 3_600_000), 1);
    // per day: the rows grouped by (day, stage, checkpoint, author); the day-3 fix of a day-1 mask is
    // booked on day 3, when its time was spent
    const key = (d: { day: string; stage: string; checkpoint: string; author: string }) => `${d.day} ${d.stage} ${d.checkpoint} ${d.author}`;
    const expected = new Map(t.effort.map((r) => [key(r), [r.masks, r.ms, r.clicks]]));
    const day1 = key({ day: DAYS[0]!, stage: 'assisted_manual', checkpoint: r0Id, author: annA.id });
    const [m, ms, c] = expected.get(day1)!;
    expected.set(day1, [m!, ms! - 4_000, c! - 1]);
    const day3 = key({ day: DAYS[2]!, stage: 'assisted_manual', checkpoint: r0Id, author: annA.id });
    expected.set(day3, [0, 4_000, 1]);
    expect(new Map(effort.daily.map((d) => [key({ ...d, checkpoint: d.checkpointKey, author: d.authorId }), [d.masks, d.activeMs, d.clicks]]))).toEqual(expected);
    expect(effort.daily.map((d) => d.day)).toEqual([...effort.daily.map((d) => d.day)].sort());
  });

  it('gives the same numbers as CSV', async () => {
    const [{ data: stats }, { status, data: file }] = await Promise.all([statsAs('manager'), csvAs('manager')]);
    expect(status).toBe(200);
    expect(file!.fileName).toMatch(/^dashboard-dashboard-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...lines] = file!.csv.trimEnd().split('\r\n');
    const columns = header!.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v])));
    const value = (where: Record<string, string>) => {
      const hits = rows.filter((r) => Object.entries(where).every(([k, v]) => r[k] === v));
      expect(hits, JSON.stringify(where)).toHaveLength(1);
      return Number(hits[0]!['value']);
    };
    expect(value({ section: 'images', status: 'all' })).toBe(stats!.images.total);
    expect(value({ section: 'masks', stage: 'semi_automatic', provenance: 'auto' })).toBe(7);
    for (const c of stats!.effort.byCheckpoint) expect(value({ section: 'effort_by_checkpoint', checkpoint: c.checkpointName, metric: 'seconds_per_mask' })).toBe(c.secondsPerMask);
    for (const a of stats!.effort.byAnnotator) expect(value({ section: 'effort_by_annotator', annotator: a.email, metric: 'masks' })).toBe(a.masks);
    expect(rows.filter((r) => r['section'] === 'effort_daily' && r['metric'] === 'masks')).toHaveLength(stats!.effort.daily.length);
  });

  it('is for the project\'s managers, ops and admins: an annotator member and another manager are refused', async () => {
    expect((await statsAs('ops')).status).toBe(200);
    for (const who of ['annA', 'otherManager']) {
      for (const path of ['stats.project', 'stats.csv']) {
        const res = await statsAs(who, path);
        expect(res.status, `${who} ${path}`).toBe(403);
        expect(res.error!.data.appCode).toBe('FORBIDDEN');
      }
    }
  });
});
