// Checkpoint bundles (manifest.json + encoder.onnx + decoder.onnx [+ detector.onnx]) are validated
// against the SAM decoder contract, copied into the blob store under their content hash (so they are
// immutable and identical bundles register once) and recorded with lineage. Promotion and roll back
// are explicit, audited operations.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import { BundleError } from '@dataengine/segment';
import { validateBundle } from '@dataengine/segment/node';
import { nowOf, type EngineDeps } from '../engine-deps';

import { requireGlobal } from '../access/project-access';
import { SYSTEM_ACTOR, type Actor } from '../access/actor';
import { queuePromotionEmbeddings } from '../loop/promotion-embeddings';
import { encoderHashOfDir } from './encoder-identity';
import { bundleLocalDir } from './bundle-dir';

const SYSTEM_ID = SYSTEM_ACTOR.id;

export type CheckpointRow = Prisma.CheckpointGetPayload<object>;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Content hash of a bundle directory: every regular file, by name and content. */
async function bundleFiles(dir: string): Promise<{ files: string[]; hash: string }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const hash = createHash('sha256');
  for (const name of files) hash.update(`${name}\0${await sha256File(path.join(dir, name))}\n`);
  return { files, hash: hash.digest('hex') };
}

export interface RegisterCheckpointInput {
  dir: string;
  name?: string;
  parentId?: string | null;
  projectId?: string | null;
  snapshotKey?: string | null;
  metrics?: Record<string, unknown> | null;
  /** Register directly as the active checkpoint (the built-in default at set-up). */
  activate?: boolean;
}

export async function registerCheckpoint(deps: EngineDeps, actor: Actor, input: RegisterCheckpointInput): Promise<CheckpointRow> {
  requireGlobal(actor, 'checkpoints.manage');
  let manifest;
  try {
    manifest = (await validateBundle(input.dir)).manifest;
  } catch (error) {
    if (error instanceof BundleError) throw new AppError('UNPROCESSABLE', `checkpoint bundle rejected: ${error.message}`);
    throw error;
  }
  const { files, hash } = await bundleFiles(input.dir);
  const existing = await deps.db.checkpoint.findUnique({ where: { bundleHash: hash } });
  if (existing) return input.activate && existing.status !== 'active' ? promoteCheckpoint(deps, actor, { checkpointId: existing.id, reason: 'registered again as active' }) : existing;
  const bundleKey = `checkpoints/${hash}`;
  const encoderHash = await encoderHashOfDir(input.dir);
  for (const file of files) await deps.blobs.putFile(`${bundleKey}/${file}`, path.join(input.dir, file));
  const created = await deps.db.$transaction(async (tx) => {
    const row = await tx.checkpoint.create({
      data: {
        name: input.name ?? String((manifest as { name?: unknown }).name ?? path.basename(input.dir)),
        bundleKey,
        bundleHash: hash,
        manifest: manifest as unknown as Prisma.InputJsonValue,
        metrics: (input.metrics ?? Prisma.DbNull) as Prisma.InputJsonValue,
        parentId: input.parentId ?? null,
        projectId: input.projectId ?? null,
        snapshotKey: input.snapshotKey ?? null,
        encoderHash,
        createdById: actor.id === SYSTEM_ID ? null : actor.id,
      },
    });
    await tx.checkpointEvent.create({ data: { checkpointId: row.id, action: 'register', toStatus: 'candidate', actorId: actor.id === SYSTEM_ID ? null : actor.id } });
    return row;
  });
  return input.activate ? promoteCheckpoint(deps, actor, { checkpointId: created.id, reason: 'registered as active' }) : created;
}



export type CheckpointAction = 'promote' | 'promote-override' | 'rollback';

/** The scope key of the global checkpoint; a project's is its id (checkpoints.active_scope). */
export const GLOBAL_SCOPE = 'global';
const scopeOf = (projectId: string | null): string => projectId ?? GLOBAL_SCOPE;

/**
 * Makes a checkpoint the active one of its scope (its project, or global when it has none): one
 * transaction retires the scope's active checkpoint and activates this one. The database keeps a
 * scope to one active checkpoint (a unique index on active_scope); promotions of one scope are also
 * serialised (a transaction-scoped advisory lock), so two at once queue up instead of one failing —
 * the later one retires the earlier. Audited. This is the mechanism; the ops console goes through
 * promoteByOps (promotion-decision.ts), which asks for a confirmation when the promotion gate did
 * not pass the candidate.
 */
export async function promoteCheckpoint(deps: EngineDeps, actor: Actor, input: { checkpointId: string; reason?: string; action?: CheckpointAction }): Promise<CheckpointRow> {
  requireGlobal(actor, 'checkpoints.manage');
  const actorId = actor.id === SYSTEM_ID ? null : actor.id;
  const promoted = await deps.db.$transaction(async (tx) => {
    const scope = await tx.checkpoint.findUnique({ where: { id: input.checkpointId }, select: { projectId: true } });
    if (!scope) throw new AppError('NOT_FOUND', `checkpoint ${input.checkpointId} does not exist`);
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`checkpoint-scope:${scope.projectId ?? 'global'}`}))::text AS locked`;
    const target = await tx.checkpoint.findUniqueOrThrow({ where: { id: input.checkpointId } });
    if (target.status === 'rejected') throw new AppError('CONFLICT', `checkpoint ${target.name} was rejected; register a new one instead`);
    if (target.status === 'active') return target;
    const previous = await tx.checkpoint.findUnique({ where: { activeScope: scopeOf(target.projectId) } });
    if (previous) {
      // retired before the activation, in this transaction: the scope is never without one, never with two
      await tx.checkpoint.update({ where: { id: previous.id }, data: { status: 'retired' } });
      await tx.checkpointEvent.create({ data: { checkpointId: previous.id, action: input.action ?? 'promote', fromStatus: 'active', toStatus: 'retired', actorId, reason: `replaced by ${target.name}` } });
    }
    await tx.checkpointEvent.create({ data: { checkpointId: target.id, action: input.action ?? 'promote', fromStatus: target.status, toStatus: 'active', actorId, reason: input.reason ?? '' } });
    return tx.checkpoint.update({ where: { id: target.id }, data: { status: 'active', promotedAt: nowOf(deps) } });
  }).catch((error: unknown) => {
    // only a writer that bypasses the scope lock can get here: the unique index refused a second active checkpoint
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('CONFLICT', 'another checkpoint of this scope was activated at the same moment; look at the checkpoints again and promote once more if it is still wanted');
    }
    throw error;
  });
  // Workers pick the active checkpoint per job, so they switch by themselves; browsers are told.
  await deps.events
    .publish({ type: 'checkpoint.activated', checkpointId: promoted.id, name: promoted.name, projectId: promoted.projectId, at: nowOf(deps).toISOString() })
    .catch((error: unknown) => deps.logger.warn('could not announce the promoted checkpoint; tools will see it on their next load', { error }));
  // the new encoder's embeddings: held and queued images first (the embedding route computes any missed one on demand)
  await queuePromotionEmbeddings(deps, promoted).then(
    (queued) => deps.logger.info('embeddings queued for the promoted checkpoint', { checkpointId: promoted.id, ...queued }),
    (error: unknown) => deps.logger.warn('could not queue embeddings for the promoted checkpoint; they will be computed on demand', { checkpointId: promoted.id, error }),
  );
  return promoted;
}

/**
 * Re-activates the checkpoint that was active before the current one, in one scope: a project's
 * own (projectId) or the global one (null). A project that uses the global checkpoint has nothing
 * of its own to roll back; the global scope is rolled back explicitly, never as a side effect.
 * "Before" is read from the audit trail: the checkpoint retired in the transaction that activated
 * the current one (its retire event is the scope's last status change before that activation).
 */
export async function rollbackCheckpoint(deps: EngineDeps, actor: Actor, input: { reason: string; projectId?: string | null }): Promise<CheckpointRow> {
  requireGlobal(actor, 'checkpoints.manage');
  if (!input.reason.trim()) throw new AppError('BAD_REQUEST', 'a roll back needs a reason; it is recorded in the audit trail');
  const projectId = input.projectId ?? null;
  const current = await deps.db.checkpoint.findUnique({ where: { activeScope: scopeOf(projectId) } });
  if (!current) {
    if (!projectId) throw new AppError('CONFLICT', 'there is no active global checkpoint to roll back from');
    const project = await deps.db.project.findUnique({ where: { id: projectId }, select: { name: true } });
    if (!project) throw new AppError('NOT_FOUND', `project ${projectId} does not exist`);
    throw new AppError('CONFLICT', `project "${project.name}" has no checkpoint of its own active (it uses the global one); nothing to roll back in its scope`);
  }
  const previous = await previousInScope(deps, current);
  if (!previous) throw new AppError('CONFLICT', `nothing to roll back to: ${current.name} did not replace an earlier checkpoint`);
  return promoteCheckpoint(deps, actor, { checkpointId: previous, reason: input.reason, action: 'rollback' });
}

/** The checkpoint the current one replaced when it was last activated (null: it replaced none). */
async function previousInScope(deps: EngineDeps, current: CheckpointRow): Promise<string | null> {
  const activated = await deps.db.checkpointEvent.findFirst({ where: { checkpointId: current.id, toStatus: 'active' }, orderBy: { id: 'desc' }, select: { id: true } });
  if (!activated) return null;
  // the scope's status changes are written under its lock, so none falls between a retire and the activation it made room for
  const before = await deps.db.checkpointEvent.findFirst({
    where: { id: { lt: activated.id }, checkpoint: { projectId: current.projectId }, OR: [{ toStatus: 'active' }, { fromStatus: 'active', toStatus: 'retired' }] },
    orderBy: { id: 'desc' },
    select: { checkpointId: true, toStatus: true, checkpoint: { select: { status: true } } },
  });
  return before && before.toStatus === 'retired' && before.checkpoint.status === 'retired' ? before.checkpointId : null;
}

/** The checkpoint a project uses: its own active one, else the global one (null: none is active). */
export async function getActiveCheckpoint(deps: Pick<EngineDeps, 'db'>, projectId: string | null = null): Promise<CheckpointRow | null> {
  return (
    (projectId ? await deps.db.checkpoint.findUnique({ where: { activeScope: scopeOf(projectId) } }) : null) ??
    deps.db.checkpoint.findUnique({ where: { activeScope: GLOBAL_SCOPE } })
  );
}

/** Local directory of a registered bundle, for onnxruntime sessions (on a remote store: its cached downloads, pinned). */
export function checkpointDir(deps: EngineDeps, checkpoint: Pick<CheckpointRow, 'bundleKey'>): Promise<string> {
  return bundleLocalDir(deps, checkpoint.bundleKey);
}

/**
 * Set-up: registers the built-in bundle as the first active checkpoint when none is active.
 * Returns null (and changes nothing) when the directory holds no bundle.
 */
export async function ensureBuiltInCheckpoint(deps: EngineDeps, dir: string): Promise<CheckpointRow | null> {
  const active = await getActiveCheckpoint(deps);
  if (active) return active;
  try {
    await readdir(dir);
  } catch {
    deps.logger.warn('no built-in checkpoint bundle found; interactive segmentation stays off until ops registers one', { dir });
    return null;
  }
  return registerCheckpoint(deps, SYSTEM_ACTOR, { dir, name: 'built-in default', activate: true });
}
