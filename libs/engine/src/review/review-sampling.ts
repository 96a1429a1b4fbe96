// QA sampling: which submitted images enter review. Pure and deterministic — an image's draw
// depends only on the seed (its project), the image and the stage — so the same submission is
// always sampled the same way, a higher rate reviews a superset of what a lower one did, and a
// test can tell exactly which images a rate picks.
import { createHash } from 'node:crypto';
import type { ReviewSource, Stage } from '@dataengine/contracts';

/** A number in [0, 1) drawn from sha-256 of `seed:imageId:stage` (first 32 bits / 2^32). */
export function reviewDraw(seed: string, imageId: number, stage: Stage): number {
  const digest = createHash('sha256').update(`${seed}:${imageId}:${stage}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export interface ReviewPolicy {
  /** share of stage-1 submissions reviewed (0: none, 1: all) */
  sampleRate: number;
  /** every stage-2/3 submission and every autogen output is reviewed; off: sampled like stage 1 */
  laterStages: boolean;
}

export interface Submission {
  seed: string;
  imageId: number;
  stage: Stage;
  /** the image was rejected in this stage before: its resubmission is always reviewed */
  rejectedBefore: boolean;
  /** machine output (an autogen run's masks) rather than an annotator's submission */
  machine?: boolean;
}

/** Why the submission enters review, or null when it is sampled out. */
export function reviewSourceFor(submission: Submission, policy: ReviewPolicy): ReviewSource | null {
  if (submission.rejectedBefore) return 'resubmitted';
  const full = policy.laterStages && (submission.machine === true || submission.stage !== 'assisted_manual');
  if (full) return submission.machine ? 'autogen' : 'stage';
  if (policy.sampleRate <= 0) return null;
  if (reviewDraw(submission.seed, submission.imageId, submission.stage) < policy.sampleRate) return submission.machine ? 'autogen' : 'sampled';
  return null;
}
