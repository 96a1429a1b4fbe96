// The paper's per-stage table: images, masks per image, clicks per mask, modelled seconds per mask,
// mIoU against ground truth and the checkpoint used — per stage and per stage-1 retrain round.
import type { HeldOutScore } from './held-out-measure';
import type { SimulatedMask } from './simulated-annotator';
import type { SimulatedStage, SimulationOptions } from './simulation-options';

export interface CheckpointRef {
  id: string;
  name: string;
}

export interface SimulationRow {
  stage: SimulatedStage;
  /** Stage-1 round (images between two retrains), from 1; null for stages 2 and 3. */
  round: number | null;
  images: number;
  /** Masks the image ends up with (stage 2: kept pre-filled + added; stage 3: automatic). */
  masks: number;
  masksPerImage: number;
  /** Masks made with clicks (stage 1: all; stage 2: the added ones; stage 3: none). */
  clickedMasks: number;
  clicks: number;
  clicksPerMask: number | null;
  /** Modelled annotation seconds per clicked mask, clicks and touch-up (the paper's time per mask). */
  secondsPerMask: number | null;
  /** Brush/eraser strokes and their modelled seconds per clicked mask (part of secondsPerMask). */
  strokesPerMask: number | null;
  touchUpSecondsPerMask: number | null;
  /** Mean IoU of the saved masks with their ground-truth objects (stage 3: of each object's best automatic mask). */
  miou: number | null;
  /** The same for the model's masks before the touch-up: what shows whether a checkpoint helps. */
  modelMiou: number | null;
  /** Share of clicked masks (stage 3: of ground-truth objects) that reached the target IoU. */
  reachedTarget: number | null;
  /** Ground-truth objects (wholes ≥ min area) on the row's images. */
  objects: number;
  /** Objects clicked on without getting a non-empty mask (not saved). */
  abandoned: number;
  /** Clicked masks of small objects the annotator zoomed in on (focusMaxArea), and how many of those the focus view made (the rest moved to the whole image). */
  focus?: { zoomed: number; inRegion: number };
  checkpoints: CheckpointRef[];
  prefill?: { masks: number; kept: number; deleted: number };
  /** Stage 1: mIoU@1 of the round's checkpoint on the never-uploaded held-out scenes. */
  heldOutMiou1?: number | null;
  wallSeconds: number;
}

export interface RetrainRound {
  /** Retrain after stage-1 round `round`. */
  round: number;
  afterImages: number;
  mode: string | null;
  retrainRunId: string | null;
  evaluateRunId: string | null;
  candidate: CheckpointRef | null;
  /** What evaluate decided (its result's decision), e.g. promoted / kept. */
  decision: string | null;
  promoted: boolean;
  evaluation: Record<string, unknown> | null;
  activeAfter: CheckpointRef;
  /** Run wall times (queued time excluded). */
  retrainSeconds: number | null;
  evaluateSeconds: number | null;
  /** After a promotion: seconds until every project image had the new checkpoint's embedding, and how many were computed. */
  promotion: { seconds: number; images: number; embedded: number; computed: number } | null;
  /** mIoU@1 on the held-out scenes of the candidate (promoted or not) and of the checkpoint active after this round. */
  heldOutCandidate: number | null;
  heldOutAfter: number | null;
  wallSeconds: number;
  error: string | null;
}

export interface SimulatedImage {
  imageId: number;
  index: number;
  sceneSeed: number;
  stage: SimulatedStage;
}

export interface SimulationReport {
  project: { id: string; name: string; slug: string };
  startedWith: CheckpointRef;
  options: Omit<SimulationOptions, 'modelDir'>;
  rows: SimulationRow[];
  retrains: RetrainRound[];
  images: SimulatedImage[];
  masks: SimulatedMask[];
  /** Each checkpoint's score on the never-uploaded held-out scenes, in the order they were active. */
  heldOut: HeldOutScore[];
  wallSeconds: number;
}

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);

/** Aggregates a stage-1 round or stage 2 from the masks the annotator ended up with. */
export function annotationRow(input: {
  stage: SimulatedStage;
  round: number | null;
  images: number;
  objects: number;
  masks: readonly SimulatedMask[];
  abandoned: number;
  checkpoints: readonly CheckpointRef[];
  prefill?: SimulationRow['prefill'];
  wallSeconds: number;
}): SimulationRow {
  const clicked = input.masks.filter((m) => m.provenance === 'manual');
  const clicks = clicked.reduce((s, m) => s + m.clicks, 0);
  const ms = clicked.reduce((s, m) => s + m.activeMs, 0);
  const perClicked = (total: number) => (clicked.length > 0 ? total / clicked.length : null);
  return {
    stage: input.stage,
    round: input.round,
    images: input.images,
    masks: input.masks.length,
    masksPerImage: input.images > 0 ? input.masks.length / input.images : 0,
    clickedMasks: clicked.length,
    clicks,
    clicksPerMask: clicked.length > 0 ? clicks / clicked.length : null,
    secondsPerMask: perClicked(ms / 1000),
    strokesPerMask: perClicked(clicked.reduce((s, m) => s + m.strokes, 0)),
    touchUpSecondsPerMask: perClicked(clicked.reduce((s, m) => s + m.touchUpMs, 0) / 1000),
    miou: mean(input.masks.map((m) => m.iou)),
    modelMiou: mean(input.masks.map((m) => m.modelIou)),
    reachedTarget: clicked.length > 0 ? clicked.filter((m) => m.reachedTarget).length / clicked.length : null,
    objects: input.objects,
    abandoned: input.abandoned,
    focus: { zoomed: clicked.filter((m) => m.focus !== null).length, inRegion: clicked.filter((m) => m.focus === 'region').length },
    checkpoints: [...input.checkpoints],
    ...(input.prefill ? { prefill: input.prefill } : {}),
    wallSeconds: input.wallSeconds,
  };
}

const STAGE_NAMES: Record<SimulatedStage, string> = { 1: 'assisted-manual', 2: 'semi-automatic', 3: 'fully automatic' };

export const checkpointLabel = (c: CheckpointRef): string => `${c.name} (${c.id.slice(0, 8)})`;

const fixed = (v: number | null, digits: number): string => (v === null ? '–' : v.toFixed(digits));

/** The report as a fixed-width text table, a line per retrain round between the stage-1 rounds. */
export function formatSimulationTable(report: SimulationReport): string {
  const header = ['stage', 'images', 'masks', 'masks/img', 'clicks/mask', 'strokes/mask', 's/mask', 'touch-up s', 'model mIoU', 'mIoU', `≥${report.options.targetIou}`, 'held-out mIoU@1', 'checkpoint'];
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const row of report.rows) {
    lines.push([
      `${row.stage} ${STAGE_NAMES[row.stage]}${row.round === 0 ? ' val set' : row.round !== null ? ` r${row.round}` : ''}`,
      String(row.images),
      String(row.masks),
      fixed(row.masksPerImage, 1),
      fixed(row.clicksPerMask, 2),
      fixed(row.strokesPerMask, 2),
      fixed(row.secondsPerMask, 1),
      fixed(row.touchUpSecondsPerMask, 1),
      fixed(row.modelMiou, 3),
      fixed(row.miou, 3),
      row.reachedTarget === null ? '–' : `${Math.round(row.reachedTarget * 100)}%`,
      fixed(row.heldOutMiou1 ?? null, 3),
      row.checkpoints.map(checkpointLabel).join(', '),
    ]);
    const retrain = row.stage === 1 && row.round !== null ? report.retrains.find((r) => r.round === row.round) : undefined;
    if (retrain) lines.push([`  ↳ ${describeRetrain(retrain)}`]);
    if (row.prefill) notes.push(`stage 2: ${row.prefill.masks} pre-filled masks, ${row.prefill.kept} kept (IoU ≥ ${report.options.targetIou} with an object), ${row.prefill.deleted} deleted; clicks, strokes and seconds are per mask the annotators added (${row.clickedMasks})`);
    if (row.stage === 3) notes.push('stage 3: mIoU is over ground-truth objects, each with its best-matching automatic mask (0 when none overlaps)');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.filter((l) => l.length > 1).map((l) => l[i]!.length)));
  const render = (cells: string[]) => (cells.length === 1 ? cells[0]! : cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const { time, touchUpIou } = report.options;
  const touchUp = touchUpIou === null ? 'no touch-up (the model\'s mask is saved)' : `then brush/eraser touch-up to IoU ≥ ${touchUpIou}`;
  return [
    `project ${report.project.name} (${report.project.id}) · ${report.images.length} synthetic images ${report.options.width}×${report.options.height}, seed ${report.options.seed} · ${report.options.annotators} annotator(s)`,
    `clicks until IoU ≥ ${report.options.targetIou} or ${report.options.maxClicks} clicks, ${touchUp} · objects ≥ ${report.options.minObjectArea} px`,
    `time model ${time.secondsPerMask} s per mask + ${time.secondsPerClick} s per click + ${time.secondsPerStroke} s per stroke + ${time.secondsPerStrokePixel} s per stroke pixel`,
    `stage 3: autogen preset ${report.options.autogen.preset}${Object.keys(report.options.autogen.overrides).length ? ` with ${Object.entries(report.options.autogen.overrides).map(([k, v]) => `${k}=${String(v)}`).join(', ')}` : ''}`,
    'model mIoU: the model\'s masks before the touch-up (what a better checkpoint raises); mIoU: the saved masks',
    `held-out mIoU@1: the round's checkpoint on ${report.options.heldOutScenes} ${report.options.scenes} scenes no one uploaded (their ground truth, one click per whole object)`,
    '',
    render(header),
    rule,
    ...lines.map(render),
    '',
    ...notes,
    ...loopSummary(report),
    `wall time ${report.wallSeconds.toFixed(1)} s`,
    '',
  ].join('\n');
}

export function describeRetrain(r: RetrainRound): string {
  if (r.error) return `retrain after ${r.afterImages} images failed: ${r.error} — annotation goes on with ${checkpointLabel(r.activeAfter)}`;
  const metrics = r.evaluation ? ` ${summariseEvaluation(r.evaluation)}` : '';
  const times = [
    r.retrainSeconds !== null ? `${r.mode ?? ''} retrain ${r.retrainSeconds.toFixed(0)} s`.trim() : null,
    r.evaluateSeconds !== null ? `evaluate ${r.evaluateSeconds.toFixed(0)} s` : null,
    r.promotion ? `promotion: embeddings of ${r.promotion.embedded}/${r.promotion.images} images in ${r.promotion.seconds.toFixed(1)} s, ${r.promotion.computed} computed` : null,
  ].filter((t) => t !== null);
  const unseen = r.heldOutCandidate !== null ? ` [unseen scenes mIoU@1 ${r.heldOutCandidate.toFixed(3)}]` : '';
  return `retrain after ${r.afterImages} images: candidate ${r.candidate ? checkpointLabel(r.candidate) : '–'}${metrics}${unseen} → ${r.promoted ? 'promoted' : (r.decision ?? 'not promoted')} (${r.wallSeconds.toFixed(0)} s${times.length ? `: ${times.join(', ')}` : ''})`;
}

/** Whether the loop paid off: the first and last stage-1 rounds, and the held-out score before and after. */
export function loopSummary(report: SimulationReport): string[] {
  const rounds = report.rows.filter((r) => r.stage === 1 && r.round !== null && r.round > 0);
  const lines: string[] = [];
  const start = report.heldOut[0];
  const lastActive = report.retrains[report.retrains.length - 1]?.activeAfter.id;
  const end = report.heldOut.find((h) => h.checkpoint.id === lastActive) ?? report.heldOut[report.heldOut.length - 1];
  if (start && end && report.retrains.length > 0) {
    lines.push(`loop: held-out mIoU@1 ${start.miou1.toFixed(3)} (${start.checkpoint.name}) → ${end.miou1.toFixed(3)} (${end.checkpoint.name}), ${signed(end.miou1 - start.miou1, 3)} over ${report.retrains.length} retrain(s)`);
  }
  const first = rounds[0];
  const last = rounds[rounds.length - 1];
  if (first && last && first !== last && first.clicksPerMask !== null && last.clicksPerMask !== null && first.secondsPerMask !== null && last.secondsPerMask !== null) {
    const change = (100 * (last.clicksPerMask - first.clicksPerMask)) / first.clicksPerMask;
    lines.push(`loop: clicks/mask ${first.clicksPerMask.toFixed(2)} → ${last.clicksPerMask.toFixed(2)} (${signed(change, 0)} %), s/mask ${first.secondsPerMask.toFixed(1)} → ${last.secondsPerMask.toFixed(1)} (round ${first.round} → ${last.round})`);
  }
  const zoomed = rounds.reduce((s, r) => s + (r.focus?.zoomed ?? 0), 0);
  if (zoomed > 0) {
    const inRegion = rounds.reduce((s, r) => s + (r.focus?.inRegion ?? 0), 0);
    lines.push(`focus view: ${zoomed} small objects (≤ ${report.options.focusMaxArea} px) zoomed in on in stage 1; ${inRegion} made in the zoomed region, ${zoomed - inRegion} on the whole image (their first mask was not small, or reached the region's edge)`);
  }
  return lines;
}

const signed = (v: number, digits: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;

/** "mIoU@1 0.33 → 0.35" from an evaluate result, when it carries the two checkpoints' metrics. */
function summariseEvaluation(evaluation: Record<string, unknown>): string {
  const pick = (side: unknown): number | null => {
    const m = side as { miouAt?: Record<string, number>; miou1?: number; miou_1click?: number } | null;
    const v = m?.miouAt?.['1'] ?? m?.miou1 ?? m?.miou_1click;
    return typeof v === 'number' ? v : null;
  };
  const base = pick(evaluation['baseline']);
  const cand = pick(evaluation['candidate']);
  const at5 = (side: unknown) => (side as { miou5?: unknown } | null)?.miou5;
  const [base5, cand5] = [at5(evaluation['baseline']), at5(evaluation['candidate'])];
  const five = typeof base5 === 'number' && typeof cand5 === 'number' ? `, @5 ${base5.toFixed(3)} → ${cand5.toFixed(3)}` : '';
  return base !== null && cand !== null ? `(held-out mIoU@1 ${base.toFixed(3)} → ${cand.toFixed(3)}${five})` : '';
}
