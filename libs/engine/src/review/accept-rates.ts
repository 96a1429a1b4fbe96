// Accept rates of the model's masks (pre-filled and automatic), per checkpoint: the number that
// tells ops whether a checkpoint is good enough for stage 3. Every mask a checkpoint made has one
// fate (ACCEPT_RATE_DEFINITION in @dataengine/contracts):
//   rejected — a reviewer rejected it (one by one, or with the machine output of its image)
//   deleted  — deleted (by an annotator, a manager, a bulk delete)
//   edited   — its pixels were changed
//   kept     — a reviewer accepted it, or its image was submitted after it was made
//   pending  — none of these yet (left out of the rate)
// Read from counters that triggers keep per (project, checkpoint, provenance, fate): the dashboard
// no longer scans the project's masks (docs/scale.md).
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

/**
 * The SQL CASE that names a mask's fate (alias m for masks); shared with the per-mask CSV. The
 * counters' trigger function accept_rate_fate is the same CASE.
 */
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
 * Sums the project's accept_rate_counters: per checkpoint, provenance and fate, how many model
 * masks have that fate. Triggers on masks and tasks keep the counters equal to MASK_FATE_SQL over
 * the project's model masks (migration 20261218090000_accept_rate_counters), so this reads a few
 * hundred rows however many masks the project has.
 */
export async function acceptRatesByCheckpoint(db: Db, projectId: string): Promise<AcceptRateRow[]> {
  const rows = await db.$queryRaw<{ checkpoint_id: string; provenance: 'prefill' | 'auto'; fate: MaskFate; n: number }[]>`
    SELECT checkpoint_id::text AS checkpoint_id, provenance::text AS provenance, fate, sum(masks)::int AS n
      FROM accept_rate_counters
     WHERE project_id = ${projectId}::uuid
     GROUP BY checkpoint_id, provenance, fate
    HAVING sum(masks) <> 0`;
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
