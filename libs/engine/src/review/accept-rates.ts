// Accept rates of the model's masks (pre-filled and automatic), per checkpoint: the number that
// tells ops whether a checkpoint is good enough for stage 3. Every mask a checkpoint made has one
// fate (ACCEPT_RATE_DEFINITION in @dataengine/contracts):
//   rejected — a reviewer rejected it (one by one, or with the machine output of its image)
//   deleted  — deleted (by an annotator, a manager, a bulk delete)
//   edited   — its pixels were changed
//   kept     — a reviewer accepted it, or its image was submitted after it was made
//   pending  — none of these yet (left out of the rate)
// One grouped query over the project's model masks (index masks(project_id, provenance, checkpoint_id)),
// joined to each image's latest submission.
import type { Db } from '@dataengine/db';

export type MaskFate = 'kept' | 'edited' | 'deleted' | 'rejected' | 'pending';

export interface AcceptRateRow {
  checkpointId: string;
  provenance: 'prefill' | 'auto';
  made: number;
  kept: number;
  edited: number;
  deleted: number;
  rejected: number;
  pending: number;
  /** kept / (kept + edited + deleted + rejected), rounded to 4 decimals; null while none is decided */
  acceptRate: number | null;
}

/** The SQL CASE that names a mask's fate (alias m for masks); shared with the per-mask CSV. */
export const MASK_FATE_SQL = `CASE
    WHEN m.review_verdict = 'rejected' THEN 'rejected'
    WHEN m.deleted_at IS NOT NULL THEN 'deleted'
    WHEN m.edited_at IS NOT NULL THEN 'edited'
    WHEN m.review_verdict = 'accepted' THEN 'kept'
    WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.image_id = m.image_id AND t.status = 'submitted' AND t.submitted_at >= m.created_at) THEN 'kept'
    ELSE 'pending'
  END`;

export function acceptRateOf(c: Pick<AcceptRateRow, 'kept' | 'edited' | 'deleted' | 'rejected'>): number | null {
  const decided = c.kept + c.edited + c.deleted + c.rejected;
  return decided > 0 ? Math.round((c.kept / decided) * 10_000) / 10_000 : null;
}

/**
 * The fate of a model mask as MASK_FATE_SQL names it, with "its image was submitted after it was
 * made" read from the image's latest submission (s.last_submitted_at), joined once per image
 * instead of probed once per mask (the dashboard reads every model mask of the project).
 */
const MASK_FATE_BY_LAST_SUBMISSION_SQL = `CASE
    WHEN m.review_verdict = 'rejected' THEN 'rejected'
    WHEN m.deleted_at IS NOT NULL THEN 'deleted'
    WHEN m.edited_at IS NOT NULL THEN 'edited'
    WHEN m.review_verdict = 'accepted' THEN 'kept'
    WHEN s.last_submitted_at >= m.created_at THEN 'kept'
    ELSE 'pending'
  END`;

export async function acceptRatesByCheckpoint(db: Db, projectId: string): Promise<AcceptRateRow[]> {
  const rows = await db.$queryRawUnsafe<{ checkpoint_id: string; provenance: 'prefill' | 'auto'; fate: MaskFate; n: number }[]>(
    `WITH submitted AS (
       SELECT t.image_id, max(t.submitted_at) AS last_submitted_at
         FROM tasks t
        WHERE t.project_id = $1::uuid AND t.status = 'submitted'
        GROUP BY t.image_id
     )
     SELECT m.checkpoint_id::text AS checkpoint_id, m.provenance::text AS provenance, ${MASK_FATE_BY_LAST_SUBMISSION_SQL} AS fate, count(*)::int AS n
       FROM masks m
       LEFT JOIN submitted s ON s.image_id = m.image_id
      WHERE m.project_id = $1::uuid AND m.provenance IN ('prefill', 'auto') AND m.checkpoint_id IS NOT NULL
      GROUP BY m.checkpoint_id, m.provenance, 3`,
    projectId,
  );
  const byKey = new Map<string, AcceptRateRow>();
  for (const r of rows) {
    const key = `${r.checkpoint_id}|${r.provenance}`;
    let row = byKey.get(key);
    if (!row) byKey.set(key, (row = { checkpointId: r.checkpoint_id, provenance: r.provenance, made: 0, kept: 0, edited: 0, deleted: 0, rejected: 0, pending: 0, acceptRate: null }));
    row[r.fate] += r.n;
    row.made += r.n;
  }
  return [...byKey.values()].map((row) => ({ ...row, acceptRate: acceptRateOf(row) }));
}
