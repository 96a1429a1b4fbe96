// Pure helpers of the checkpoints table: lineage as an indented tree, and the metrics that can be
// compared side by side whichever way a checkpoint got them.
import type { CheckpointDto } from '@dataengine/contracts';

export interface LineageRow {
  checkpoint: CheckpointDto;
  depth: number;
  parentName: string | null;
}

/** Parents before their children (newest sibling first); orphans (parent not listed) are roots. */
export function lineageRows(checkpoints: CheckpointDto[]): LineageRow[] {
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  const children = new Map<string | null, CheckpointDto[]>();
  for (const c of checkpoints) {
    const parent = c.parentId && byId.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  for (const list of children.values()) list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const rows: LineageRow[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      rows.push({ checkpoint: c, depth, parentName: c.parentId ? (byId.get(c.parentId)?.name ?? c.parentId.slice(0, 8)) : null });
      visit(c.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

export interface ComparableMetrics {
  miou1: number | null;
  miou3: number | null;
  miou5: number | null;
  noc90: number | null;
  ap50: number | null;
  /** where the numbers come from: an evaluate run (same held-out images) or the trainer's own */
  source: 'evaluate run' | 'trainer' | null;
}

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/** An evaluate run's numbers when there is one, else the trainer's from the bundle manifest. */
export function comparableMetrics(c: Pick<CheckpointDto, 'metrics' | 'manifest'>): ComparableMetrics {
  const evaluated = rec(rec(rec(c.metrics)?.['evaluation'])?.['candidate']);
  if (evaluated) {
    return { miou1: n(evaluated['miou1']), miou3: n(evaluated['miou3']), miou5: n(evaluated['miou5']), noc90: n(evaluated['noc90']), ap50: n(evaluated['boxAp50']), source: 'evaluate run' };
  }
  const trained = rec(rec(c.manifest['lineage'])?.['metrics']) ?? rec(c.metrics);
  if (trained && ['miou_1click', 'miou1', 'box_ap50'].some((k) => k in trained)) {
    return {
      miou1: n(trained['miou_1click'] ?? trained['miou1']),
      miou3: n(trained['miou_3click'] ?? trained['miou3']),
      miou5: n(trained['miou_5click'] ?? trained['miou5']),
      noc90: n(trained['noc90'] ?? trained['noc_90']),
      ap50: n(trained['box_ap50'] ?? trained['boxAp50']),
      source: 'trainer',
    };
  }
  return { miou1: null, miou3: null, miou5: null, noc90: null, ap50: null, source: null };
}
