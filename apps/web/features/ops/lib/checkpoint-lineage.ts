// Pure helpers of the checkpoints view: checkpoints grouped by scope (global, or a project) with
// their lineage as an indented tree; an evaluation's comparison — both checkpoints on ONE held-out
// set, side by side — and the trainer's own numbers, which are never compared with anything.
import type { CheckpointDto, CheckpointEvaluationDto, EvaluatedMetricsDto } from '@dataengine/contracts';

export interface LineageRow {
  checkpoint: CheckpointDto;
  depth: number;
  parentName: string | null;
}

/**
 * Parents before their children (newest sibling first); orphans (parent not listed) are roots.
 * `named` resolves parent names outside the list (a project's candidate whose parent is global).
 */
export function lineageRows(checkpoints: CheckpointDto[], named: CheckpointDto[] = checkpoints): LineageRow[] {
  const byId = new Map(checkpoints.map((c) => [c.id, c]));
  const names = new Map(named.map((c) => [c.id, c.name]));
  const children = new Map<string | null, CheckpointDto[]>();
  for (const c of checkpoints) {
    const parent = c.parentId && byId.has(c.parentId) ? c.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), c]);
  }
  for (const list of children.values()) list.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const rows: LineageRow[] = [];
  const visit = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) {
      rows.push({ checkpoint: c, depth, parentName: c.parentId ? (names.get(c.parentId) ?? c.parentId.slice(0, 8)) : null });
      visit(c.id, depth + 1);
    }
  };
  visit(null, 0);
  return rows;
}

export interface ScopeGroup {
  /** 'global' or the project's id */
  key: string;
  projectId: string | null;
  label: string;
  active: CheckpointDto | null;
  rows: LineageRow[];
}

/** One group per scope — global first, then projects by name — each with its one active checkpoint. */
export function scopeGroups(checkpoints: CheckpointDto[]): ScopeGroup[] {
  const groups = new Map<string, CheckpointDto[]>();
  for (const c of checkpoints) groups.set(c.projectId ?? 'global', [...(groups.get(c.projectId ?? 'global') ?? []), c]);
  return [...groups.entries()]
    .map(([key, list]) => ({
      key,
      projectId: key === 'global' ? null : key,
      label: key === 'global' ? 'Global' : (list[0]!.projectName ?? key.slice(0, 8)),
      active: list.find((c) => c.status === 'active') ?? null,
      rows: lineageRows(list, checkpoints),
    }))
    .sort((a, b) => (a.key === 'global' ? -1 : b.key === 'global' ? 1 : a.label.localeCompare(b.label)));
}

export const scopeLabel = (c: Pick<CheckpointDto, 'projectId' | 'projectName'>): string => (c.projectId ? (c.projectName ?? c.projectId.slice(0, 8)) : 'global');

type MetricKey = 'miou1' | 'miou3' | 'miou5' | 'noc90' | 'boxAp50' | 'boxMiou1' | 'calibrationError';

export const COMPARED_METRICS: { key: MetricKey; label: string; better: 'high' | 'low'; title: string }[] = [
  { key: 'miou1', label: 'mIoU@1', better: 'high', title: 'mean IoU after one simulated click' },
  { key: 'miou3', label: 'mIoU@3', better: 'high', title: 'mean IoU after three clicks' },
  { key: 'miou5', label: 'mIoU@5', better: 'high', title: 'mean IoU after five clicks' },
  { key: 'noc90', label: 'NoC@90', better: 'low', title: 'clicks to reach IoU 0.9 (capped)' },
  { key: 'boxAp50', label: 'AP@0.5', better: 'high', title: 'detector box AP at IoU 0.5' },
  { key: 'boxMiou1', label: 'box mIoU', better: 'high', title: 'mean IoU of the mask a box prompt alone returns (prefill)' },
  { key: 'calibrationError', label: '|pred − true IoU|', better: 'low', title: 'mean error of the one-click mask\'s predicted IoU' },
];

export interface ComparisonRow {
  key: MetricKey;
  label: string;
  title: string;
  candidate: number | null;
  baseline: number | null;
  /** candidate − baseline; null when either is missing */
  delta: number | null;
  /** how the candidate fares on this metric */
  outcome: 'better' | 'worse' | 'same' | null;
}

/** Candidate and baseline on the same set, metric by metric (both come from one evaluate run). */
export function comparisonRows(evaluation: CheckpointEvaluationDto): ComparisonRow[] {
  const cap = evaluation.nocMaxClicks;
  return COMPARED_METRICS.map(({ key, label: name, title: about, better }) => {
    // NoC depends on its cap (an object never reaching 0.9 counts the cap): say which, where recorded
    const [label, title] = key === 'noc90' && cap !== null ? [`${name} (cap ${cap})`, `${about.replace(' (capped)', '')}, capped at ${cap}: an object that never gets there counts ${cap}`] : [name, about];
    const candidate = evaluation.candidate[key];
    const baseline = evaluation.baseline[key];
    const delta = candidate !== null && baseline !== null ? candidate - baseline : null;
    const sign = delta === null ? null : better === 'high' ? delta : -delta;
    const outcome = sign === null ? null : Math.abs(sign) < 5e-4 ? 'same' : sign > 0 ? 'better' : 'worse';
    return { key, label, title, candidate, baseline, delta, outcome };
  });
}

/** The gate's verdict and what happened, in words ("miou5 falls by …; awaiting ops decision"). */
export function verdictText(evaluation: Pick<CheckpointEvaluationDto, 'verdict' | 'decision'>): string {
  return evaluation.decision ? `${evaluation.verdict}; ${evaluation.decision}` : evaluation.verdict;
}

/** Bins of the calibration table that hold masks, candidate and baseline side by side. */
export function calibrationRows(candidate: EvaluatedMetricsDto, baseline: EvaluatedMetricsDto) {
  return candidate.calibration
    .map((bin, i) => ({ lo: bin.lo, hi: bin.hi, candidate: bin, baseline: baseline.calibration[i] ?? null }))
    .filter((row) => row.candidate.count > 0 || (row.baseline?.count ?? 0) > 0);
}

export interface TrainerCard {
  miou1: number | null;
  miou3: number | null;
  miou5: number | null;
  ap50: number | null;
}

const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rec = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

/**
 * The trainer's own numbers (its model card, on its own val split at training time). They are not
 * from the same set as anything else here, so the view labels them and never compares them.
 */
export function trainerCard(c: Pick<CheckpointDto, 'metrics' | 'manifest'>): TrainerCard | null {
  const metrics = rec(c.metrics);
  const trained = rec(rec(c.manifest['lineage'])?.['metrics']) ?? rec(metrics?.['training']) ?? metrics;
  if (!trained || !['miou_1click', 'miou1', 'box_ap50'].some((k) => k in trained)) return null;
  return {
    miou1: n(trained['miou_1click'] ?? trained['miou1']),
    miou3: n(trained['miou_3click'] ?? trained['miou3']),
    miou5: n(trained['miou_5click'] ?? trained['miou5']),
    ap50: n(trained['box_ap50'] ?? trained['boxAp50']),
  };
}
