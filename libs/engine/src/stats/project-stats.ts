// The project manager's dashboard. Time and clicks come from the pre-aggregated counters
// (annotator_daily_counters, stage_counters; kept in the masks' own transactions), image and task
// figures from indexed counts; only the masks-per-image histogram groups masks, per image.
import { stageSchema, taskStatusSchema, type Stage } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject, type ProjectAccess } from '../access/project-access';
import { rollUpEffort, type DailyCounter } from './effort-rollups';
import { bucketMasksPerImage, type ExactCount, type HistogramSeries } from './masks-per-image';
import { projectStatsCsv, statsCsvFileName } from './stats-csv';
import type { AcceptRate, ProjectStats, StageStats, StatsCsv } from './stats-schema';
import { acceptRatesByCheckpoint, type AcceptRateRow } from '../review/accept-rates';

/** Managers of the project, ops and admins see its dashboard; annotators do not. */
async function requireDashboardAccess(deps: EngineDeps, actor: Actor, projectId: string): Promise<ProjectAccess> {
  return requireProject(deps.db, actor, projectId, 'stats.view');
}

async function stageStats(deps: EngineDeps, projectId: string): Promise<StageStats[]> {
  const [counters, tasks, reviews] = await Promise.all([
    deps.db.stageCounter.findMany({ where: { projectId } }),
    deps.db.task.groupBy({ by: ['stage', 'status'], where: { projectId }, _count: { _all: true }, _sum: { activeMs: true } }),
    deps.db.review.groupBy({ by: ['stage'], where: { projectId, status: 'pending' }, _count: { _all: true } }),
  ]);
  return stageSchema.options.map((stage) => {
    const c = counters.find((row) => row.stage === stage);
    const taskCounts = Object.fromEntries(taskStatusSchema.options.map((status) => [status, tasks.find((t) => t.stage === stage && t.status === status)?._count._all ?? 0])) as StageStats['tasks'];
    const masks = { manual: c?.masksManual ?? 0, prefill: c?.masksPrefill ?? 0, auto: c?.masksAuto ?? 0 };
    const submittedActiveMs = tasks.find((t) => t.stage === stage && t.status === 'submitted')?._sum.activeMs ?? 0;
    return {
      stage,
      imagesTotal: c?.imagesTotal ?? 0,
      imagesDone: c?.imagesDone ?? 0,
      tasks: taskCounts,
      masks: { ...masks, total: masks.manual + masks.prefill + masks.auto },
      submittedActiveMs,
      secondsPerImage: taskCounts.submitted > 0 ? Math.round((submittedActiveMs / 1000 / taskCounts.submitted) * 100) / 100 : null,
      inReview: reviews.find((r) => r.stage === stage)?._count._all ?? 0,
    };
  });
}

async function imageCounts(deps: EngineDeps, projectId: string): Promise<ProjectStats['images']> {
  const groups = await deps.db.image.groupBy({ by: ['status'], where: { projectId }, _count: { _all: true } });
  const n = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return { total: n('pending') + n('ready') + n('failed'), pending: n('pending'), ready: n('ready'), failed: n('failed') };
}

/**
 * Exact masks-per-image counts for every non-failed image (0 for images without masks). The live
 * masks are counted per image first, from the partial index masks(project_id, image_id, provenance)
 * WHERE deleted_at IS NULL (an index-only scan, no heap reads), then joined to the images.
 */
async function masksPerImage(deps: EngineDeps, projectId: string) {
  const rows = await deps.db.$queryRaw<{ series: HistogramSeries; n: number; images: number }[]>`
    WITH counts AS (
      SELECT m.image_id,
             count(*)::int AS all_n,
             (count(*) FILTER (WHERE m.provenance = 'manual'))::int AS manual_n,
             (count(*) FILTER (WHERE m.provenance = 'prefill'))::int AS prefill_n,
             (count(*) FILTER (WHERE m.provenance = 'auto'))::int AS auto_n
      FROM masks m
      WHERE m.project_id = ${projectId}::uuid AND m.deleted_at IS NULL
      GROUP BY m.image_id
    ), per_image AS (
      SELECT coalesce(c.all_n, 0) AS all_n, coalesce(c.manual_n, 0) AS manual_n, coalesce(c.prefill_n, 0) AS prefill_n, coalesce(c.auto_n, 0) AS auto_n
      FROM images i
      LEFT JOIN counts c ON c.image_id = i.id
      WHERE i.project_id = ${projectId}::uuid AND i.status <> 'failed'
    )
    SELECT 'all' AS series, all_n AS n, count(*)::int AS images FROM per_image GROUP BY all_n
    UNION ALL SELECT 'manual', manual_n, count(*)::int FROM per_image GROUP BY manual_n
    UNION ALL SELECT 'prefill', prefill_n, count(*)::int FROM per_image GROUP BY prefill_n
    UNION ALL SELECT 'auto', auto_n, count(*)::int FROM per_image GROUP BY auto_n`;
  return bucketMasksPerImage(rows as ExactCount[]);
}

async function dailyCounters(deps: EngineDeps, projectId: string): Promise<DailyCounter[]> {
  const rows = await deps.db.annotatorDailyCounter.findMany({ where: { projectId }, orderBy: { day: 'asc' } });
  return rows.map((r) => ({
    day: r.day.toISOString().slice(0, 10),
    stage: r.stage as Stage,
    checkpointKey: r.checkpointKey,
    authorId: r.authorId,
    masks: r.masks,
    activeMs: Number(r.activeMs),
    clicks: r.clicks,
  }));
}

async function submissionsByAnnotator(deps: EngineDeps, projectId: string): Promise<Map<string, { images: number; days: number; activeMs: number }>> {
  const rows = await deps.db.$queryRaw<{ assignee_id: string; images: number; days: number; active_ms: bigint }[]>`
    SELECT assignee_id::text, count(*)::int AS images, count(DISTINCT (submitted_at AT TIME ZONE 'UTC')::date)::int AS days, sum(active_ms)::bigint AS active_ms
    FROM tasks
    WHERE project_id = ${projectId}::uuid AND status = 'submitted' AND assignee_id IS NOT NULL
    GROUP BY assignee_id`;
  return new Map(rows.map((r) => [r.assignee_id, { images: r.images, days: r.days, activeMs: Number(r.active_ms) }]));
}

export async function getProjectStats(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<ProjectStats> {
  const { project } = await requireDashboardAccess(deps, actor, input.projectId);
  const [images, stages, histogram, daily, submissions, rates, idleCap] = await Promise.all([
    imageCounts(deps, project.id),
    stageStats(deps, project.id),
    masksPerImage(deps, project.id),
    dailyCounters(deps, project.id),
    submissionsByAnnotator(deps, project.id),
    acceptRatesByCheckpoint(deps.db, project.id),
    deps.db.project.findUniqueOrThrow({ where: { id: project.id }, select: { idleCapSeconds: true } }),
  ]);
  const checkpointIds = [...new Set([...daily.map((d) => d.checkpointKey), ...rates.map((r) => r.checkpointId)].filter((k) => k !== ''))];
  const authorIds = [...new Set([...daily.map((d) => d.authorId), ...submissions.keys()])];
  const [checkpoints, users] = await Promise.all([
    deps.db.checkpoint.findMany({ where: { id: { in: checkpointIds } }, select: { id: true, name: true }, orderBy: { createdAt: 'asc' } }),
    deps.db.user.findMany({ where: { id: { in: authorIds } }, select: { id: true, name: true, email: true } }),
  ]);
  const effort = rollUpEffort(daily, {
    checkpoints: checkpoints.map((c) => ({ key: c.id, name: c.name })),
    annotators: new Map(users.map((u) => [u.id, { name: u.name, email: u.email }])),
    submissions,
  });
  return {
    project: { id: project.id, name: project.name, slug: project.slug, stage: project.stage as Stage },
    generatedAt: new Date().toISOString(),
    images,
    stages,
    masksPerImage: histogram,
    acceptRates: orderAcceptRates(rates, checkpoints),
    timing: idleCap.idleCapSeconds === null ? { idleCapSeconds: deps.settings.IDLE_GAP_CAP_SECONDS, source: 'installation' } : { idleCapSeconds: idleCap.idleCapSeconds, source: 'project' },
    effort,
  };
}

/** Accept rates in the checkpoints' registration order, pre-filled before automatic. */
function orderAcceptRates(rates: AcceptRateRow[], checkpoints: { id: string; name: string }[]): AcceptRate[] {
  const rank = (id: string) => {
    const i = checkpoints.findIndex((c) => c.id === id);
    return i < 0 ? checkpoints.length : i;
  };
  return rates
    .sort((a, b) => rank(a.checkpointId) - rank(b.checkpointId) || a.provenance.localeCompare(b.provenance) * -1)
    .map(({ checkpointId, ...rest }) => ({ checkpointKey: checkpointId, checkpointName: checkpoints.find((c) => c.id === checkpointId)?.name ?? checkpointId.slice(0, 8), ...rest }));
}

/** The same numbers as the dashboard, as a CSV file the browser downloads. */
export async function exportProjectStatsCsv(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<StatsCsv> {
  const stats = await getProjectStats(deps, actor, input);
  return { fileName: statsCsvFileName(stats), csv: projectStatsCsv(stats) };
}
