// The dashboard's detail downloads: one CSV row per image, and one per mask (deleted ones too,
// with their fate), beside the aggregates. Streamed in keyset-ordered batches, so a project of a
// million masks never sits in memory and the first bytes leave at once.
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import { MASK_FATE_SQL } from '../review/accept-rates';
import { csvCell } from './stats-csv';

export const IMAGE_CSV_COLUMNS = [
  'image_id', 'file_name', 'split', 'image_status', 'width', 'height',
  'stage', 'task_status', 'annotator', 'submitted_at',
  'active_seconds', 'active_seconds_assisted_manual', 'active_seconds_semi_automatic',
  'masks', 'masks_manual', 'masks_prefill', 'masks_auto', 'masks_deleted',
  'review_status', 'reviewer', 'reviewed_at', 'review_reason',
] as const;

export const MASK_CSV_COLUMNS = [
  'mask_id', 'image_id', 'file_name', 'stage', 'provenance', 'origin', 'label', 'author', 'checkpoint', 'run_id',
  'area', 'bbox_x', 'bbox_y', 'bbox_w', 'bbox_h', 'predicted_iou', 'stability_score', 'active_seconds', 'clicks',
  'created_at', 'edited_at', 'deleted_at', 'review_verdict', 'fate',
] as const;

const IMAGE_BATCH = 500;
const MASK_BATCH = 2_000;

type Cell = string | number | null;
type Row = Record<string, Cell>;

export interface CsvDownload {
  fileName: string;
  /** the file, a few lines at a time (header first), CRLF line ends */
  chunks: AsyncIterable<string>;
}

const line = (columns: readonly string[], row: Row) => `${columns.map((c) => csvCell(row[c] ?? null)).join(',')}\r\n`;
const seconds = (ms: number | bigint | null) => (ms === null ? null : Math.round(Number(ms) / 10) / 100);
const iso = (d: Date | null) => d?.toISOString() ?? null;
const today = (deps: EngineDeps) => (deps.now ? deps.now() : new Date()).toISOString().slice(0, 10);

export async function projectImagesCsv(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<CsvDownload> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'stats.view');
  const { db } = deps;
  async function* chunks() {
    yield IMAGE_CSV_COLUMNS.join(',') + '\r\n';
    let cursor = 0;
    for (;;) {
      const rows = await db.$queryRaw<ImageCsvRow[]>`
        WITH batch AS (
          SELECT * FROM images WHERE project_id = ${project.id}::uuid AND id > ${cursor} ORDER BY id LIMIT ${IMAGE_BATCH}
        )
        SELECT i.id AS image_id, i.file_name, i.split::text AS split, i.status::text AS image_status, i.width, i.height,
               lt.stage::text AS stage, lt.status::text AS task_status, lu.email AS annotator, lt.submitted_at,
               ts.all_ms, ts.s1_ms, ts.s2_ms,
               mc.live, mc.manual, mc.prefill, mc.auto, mc.deleted,
               rv.status AS review_status, rv.reviewer, rv.decided_at, rv.reason
          FROM batch i
          LEFT JOIN LATERAL (SELECT t.* FROM tasks t WHERE t.image_id = i.id ORDER BY t.stage DESC LIMIT 1) lt ON true
          LEFT JOIN users lu ON lu.id = lt.assignee_id
          LEFT JOIN LATERAL (
            SELECT sum(t.active_ms)::bigint AS all_ms,
                   (sum(t.active_ms) FILTER (WHERE t.stage = 'assisted_manual'))::bigint AS s1_ms,
                   (sum(t.active_ms) FILTER (WHERE t.stage = 'semi_automatic'))::bigint AS s2_ms
              FROM tasks t WHERE t.image_id = i.id) ts ON true
          LEFT JOIN LATERAL (
            SELECT (count(*) FILTER (WHERE m.deleted_at IS NULL))::int AS live,
                   (count(*) FILTER (WHERE m.deleted_at IS NULL AND m.provenance = 'manual'))::int AS manual,
                   (count(*) FILTER (WHERE m.deleted_at IS NULL AND m.provenance = 'prefill'))::int AS prefill,
                   (count(*) FILTER (WHERE m.deleted_at IS NULL AND m.provenance = 'auto'))::int AS auto,
                   (count(*) FILTER (WHERE m.deleted_at IS NOT NULL))::int AS deleted
              FROM masks m WHERE m.image_id = i.id) mc ON true
          LEFT JOIN LATERAL (
            SELECT r.status::text AS status, ru.email AS reviewer, r.decided_at, r.reason
              FROM reviews r LEFT JOIN users ru ON ru.id = r.reviewer_id
             WHERE r.image_id = i.id ORDER BY r.id DESC LIMIT 1) rv ON true
         ORDER BY i.id`;
      if (rows.length === 0) return;
      yield rows.map((r) => line(IMAGE_CSV_COLUMNS, imageRow(r))).join('');
      cursor = rows[rows.length - 1]!.image_id;
      if (rows.length < IMAGE_BATCH) return;
    }
  }
  return { fileName: `${project.slug}-images-${today(deps)}.csv`, chunks: chunks() };
}

interface ImageCsvRow {
  image_id: number;
  file_name: string;
  split: string;
  image_status: string;
  width: number;
  height: number;
  stage: string | null;
  task_status: string | null;
  annotator: string | null;
  submitted_at: Date | null;
  all_ms: bigint | null;
  s1_ms: bigint | null;
  s2_ms: bigint | null;
  live: number;
  manual: number;
  prefill: number;
  auto: number;
  deleted: number;
  review_status: string | null;
  reviewer: string | null;
  decided_at: Date | null;
  reason: string | null;
}

function imageRow(r: ImageCsvRow): Row {
  return {
    image_id: r.image_id,
    file_name: r.file_name,
    split: r.split,
    image_status: r.image_status,
    width: r.width,
    height: r.height,
    stage: r.stage,
    task_status: r.task_status,
    annotator: r.annotator,
    submitted_at: iso(r.submitted_at),
    active_seconds: seconds(r.all_ms),
    active_seconds_assisted_manual: seconds(r.s1_ms),
    active_seconds_semi_automatic: seconds(r.s2_ms),
    masks: r.live,
    masks_manual: r.manual,
    masks_prefill: r.prefill,
    masks_auto: r.auto,
    masks_deleted: r.deleted,
    review_status: r.review_status,
    reviewer: r.reviewer,
    reviewed_at: iso(r.decided_at),
    review_reason: r.reason,
  };
}

export async function projectMasksCsv(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<CsvDownload> {
  const { project } = await requireProject(deps.db, actor, input.projectId, 'stats.view');
  const { db } = deps;
  async function* chunks() {
    yield MASK_CSV_COLUMNS.join(',') + '\r\n';
    let cursor = 0n;
    for (;;) {
      const rows = await db.$queryRawUnsafe<MaskCsvRow[]>(
        `SELECT m.id, m.image_id, i.file_name, m.stage::text AS stage, m.provenance::text AS provenance, r.kind::text AS run_kind,
                l.name AS label, u.email AS author, c.name AS checkpoint, m.run_id::text AS run_id,
                m.area, m.bbox_x, m.bbox_y, m.bbox_w, m.bbox_h, m.predicted_iou, m.stability_score, m.active_ms, m.clicks,
                m.created_at, m.edited_at, m.deleted_at, m.review_verdict::text AS review_verdict,
                CASE WHEN m.provenance = 'manual' THEN NULL ELSE ${MASK_FATE_SQL} END AS fate
           FROM masks m
           JOIN images i ON i.id = m.image_id
           LEFT JOIN runs r ON r.id = m.run_id
           LEFT JOIN labels l ON l.id = m.label_id
           LEFT JOIN users u ON u.id = m.author_id
           LEFT JOIN checkpoints c ON c.id = m.checkpoint_id
          WHERE m.project_id = $1::uuid AND m.id > $2
          ORDER BY m.id
          LIMIT ${MASK_BATCH}`,
        project.id,
        cursor,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => line(MASK_CSV_COLUMNS, maskRow(r))).join('');
      cursor = rows[rows.length - 1]!.id;
      if (rows.length < MASK_BATCH) return;
    }
  }
  return { fileName: `${project.slug}-masks-${today(deps)}.csv`, chunks: chunks() };
}

interface MaskCsvRow {
  id: bigint;
  image_id: number;
  file_name: string;
  stage: string;
  provenance: string;
  run_kind: string | null;
  label: string | null;
  author: string | null;
  checkpoint: string | null;
  run_id: string | null;
  area: number;
  bbox_x: number;
  bbox_y: number;
  bbox_w: number;
  bbox_h: number;
  predicted_iou: number | null;
  stability_score: number | null;
  active_ms: number;
  clicks: number;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  review_verdict: string | null;
  fate: string | null;
}

const score = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

function maskRow(r: MaskCsvRow): Row {
  return {
    mask_id: r.id.toString(),
    image_id: r.image_id,
    file_name: r.file_name,
    stage: r.stage,
    provenance: r.provenance,
    origin: r.run_kind === 'import' ? 'imported' : r.provenance,
    label: r.label,
    author: r.author,
    checkpoint: r.checkpoint,
    run_id: r.run_id,
    area: r.area,
    bbox_x: r.bbox_x,
    bbox_y: r.bbox_y,
    bbox_w: r.bbox_w,
    bbox_h: r.bbox_h,
    predicted_iou: score(r.predicted_iou),
    stability_score: score(r.stability_score),
    active_seconds: seconds(r.active_ms),
    clicks: r.clicks,
    created_at: iso(r.created_at),
    edited_at: iso(r.edited_at),
    deleted_at: iso(r.deleted_at),
    review_verdict: r.review_verdict,
    fate: r.fate,
  };
}
