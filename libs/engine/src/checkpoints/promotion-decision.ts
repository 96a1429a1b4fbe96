// Promotion as ops decides it: a candidate that passed the promotion gate against the checkpoint it
// would replace is promoted on request; one the gate refused, one never evaluated, or one evaluated
// against a checkpoint that is no longer active needs an explicit override with a reason, and the
// audit trail says so (action `promote-override`, the gate's verdict beside the reason).
import { AppError, checkpointEvaluationSchema, evaluatedMetricsSchema, evaluationSetSchema, calibrationBinSchema, type CheckpointEvaluationDto, type PromotionGateDto } from '@dataengine/contracts';
import { z } from 'zod';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import type { EngineDeps } from '../engine-deps';
import { getActiveCheckpoint, promoteCheckpoint, type CheckpointRow } from './checkpoint-registry';

const metric = z.number().nullable().catch(null);
/** What evaluate runs wrote, including records from before sets and calibration were recorded. */
const storedEvaluationSchema = checkpointEvaluationSchema.extend({
  projectId: z.string().nullable().catch(null),
  set: evaluationSetSchema.nullable().catch(null),
  candidate: evaluatedMetricsSchema.extend({ miou1: metric, miou3: metric, miou5: metric, noc90: metric, boxAp50: metric, boxMiou1: metric, calibrationError: metric, calibration: z.array(calibrationBinSchema).catch([]) }),
  baseline: evaluatedMetricsSchema.extend({ miou1: metric, miou3: metric, miou5: metric, noc90: metric, boxAp50: metric, boxMiou1: metric, calibrationError: metric, calibration: z.array(calibrationBinSchema).catch([]) }),
  gatePassed: z.boolean().catch(false),
  decision: z.string().nullable().catch(null),
  nocMaxClicks: z.number().int().positive().nullable().catch(null),
});

/** The checkpoint's last evaluation (candidate vs the checkpoint it would replace), or null. */
export function readEvaluation(metrics: unknown): CheckpointEvaluationDto | null {
  const raw = typeof metrics === 'object' && metrics !== null ? (metrics as Record<string, unknown>)['evaluation'] : undefined;
  const parsed = storedEvaluationSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { runId, at, projectId, set, candidate, baseline, verdict, gatePassed, decision, nocMaxClicks } = parsed.data;
  const pick = (m: typeof candidate) => ({
    checkpointId: m.checkpointId,
    name: m.name,
    miou1: m.miou1,
    miou3: m.miou3,
    miou5: m.miou5,
    noc90: m.noc90,
    boxAp50: m.boxAp50,
    boxMiou1: m.boxMiou1,
    calibrationError: m.calibrationError,
    calibration: m.calibration,
    images: m.images,
    objects: m.objects,
  });
  return { runId, at, projectId, set, candidate: pick(candidate), baseline: pick(baseline), verdict, gatePassed, decision, nocMaxClicks };
}

/**
 * Whether promoting `checkpoint` now passes the gate: it was evaluated on a recorded held-out set
 * against `replaces` (the active checkpoint of its scope now), and the gate passed it. Null for
 * checkpoints that are active or rejected (nothing to promote).
 */
export function promotionGateOf(checkpoint: Pick<CheckpointRow, 'status' | 'metrics' | 'name'>, replaces: Pick<CheckpointRow, 'id' | 'name'> | null): PromotionGateDto | null {
  if (checkpoint.status === 'active' || checkpoint.status === 'rejected') return null;
  const evaluation = readEvaluation(checkpoint.metrics);
  if (!evaluation) return { passed: false, reason: 'not evaluated: no evaluate run has compared it with the checkpoint it would replace' };
  if (!evaluation.set) return { passed: false, reason: 'its evaluation recorded no held-out set (it predates them); evaluate it again' };
  if (replaces && evaluation.baseline.checkpointId !== replaces.id) {
    return { passed: false, reason: `it was evaluated against ${evaluation.baseline.name}, but ${replaces.name} is active in its scope now; evaluate it again` };
  }
  return { passed: evaluation.gatePassed, reason: evaluation.verdict };
}

export interface PromoteByOpsInput {
  checkpointId: string;
  reason?: string;
  /** Promote although the gate did not pass it; needs a reason. */
  overrideGate?: boolean;
}

/** The console's promote: gate passed → promoted; otherwise only with overrideGate and a reason. */
export async function promoteByOps(deps: EngineDeps, actor: Actor, input: PromoteByOpsInput): Promise<CheckpointRow> {
  requireGlobal(actor, 'checkpoints.manage');
  const target = await deps.db.checkpoint.findUnique({ where: { id: input.checkpointId } });
  if (!target) throw new AppError('NOT_FOUND', `checkpoint ${input.checkpointId} does not exist`);
  const gate = promotionGateOf(target, await getActiveCheckpoint(deps, target.projectId));
  if (!gate) return promoteCheckpoint(deps, actor, { checkpointId: target.id, reason: input.reason ?? '' }); // active (no-op) or rejected (refused there)
  const reason = input.reason?.trim() ?? '';
  if (gate.passed) return promoteCheckpoint(deps, actor, { checkpointId: target.id, reason: reason || `promotion gate passed: ${gate.reason}` });
  if (!input.overrideGate || !reason) {
    const missing = !input.overrideGate && !reason ? 'overrideGate: true and a reason' : !input.overrideGate ? 'overrideGate: true' : 'a reason';
    throw new AppError('CONFLICT', `the promotion gate did not pass ${target.name}: ${gate.reason}. To promote it anyway, confirm with ${missing} (recorded in the audit trail)`);
  }
  return promoteCheckpoint(deps, actor, { checkpointId: target.id, action: 'promote-override', reason: `gate overridden (${gate.reason}): ${reason}` });
}
