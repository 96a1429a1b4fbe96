// A fresh project per simulation: its own manager, ops user and annotators (members), synthetic
// images uploaded and ingested through the same use cases and queue as a browser upload.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { SYSTEM_ACTOR, type Actor } from '../access/actor';
import { ensureBuiltInCheckpoint, type CheckpointRow } from '../checkpoints/checkpoint-registry';
import type { EngineDeps } from '../engine-deps';
import { uploadImage } from '../images/upload-image';
import { addMember } from '../projects/members';
import { createProject } from '../projects/projects';
import { beginUploadBatch } from '../runs/runs';
import { createUser } from '../users/create-user';
import type { SimulationOptions } from './simulation-options';
import { buildSimulationScene, type SimulationScene } from './simulation-scenes';
import { assertRunSucceeded, SimulationError, waitForRun, type WaitOptions } from './simulation-waits';

export interface SimulationCast {
  project: { id: string; name: string; slug: string };
  manager: Actor;
  ops: Actor;
  annotators: Actor[];
}

const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'sim';

export async function createSimulationCast(deps: EngineDeps, options: Pick<SimulationOptions, 'annotators' | 'projectName'>, now = new Date()): Promise<SimulationCast> {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const name = options.projectName ?? `sim-${stamp}-${randomBytes(2).toString('hex')}`;
  const slug = slugOf(name);
  const password = randomBytes(12).toString('hex');
  const user = async (who: string, role: Actor['role']): Promise<Actor> => {
    const dto = await createUser(deps, SYSTEM_ACTOR, { email: `${who}@${slug}.sim.local`, name: `${slug} ${who}`, password, role });
    return { id: dto.id, email: dto.email, name: dto.name, role: dto.role };
  };
  const manager = await user('manager', 'manager');
  const ops = await user('ops', 'ops');
  const project = await createProject(deps, manager, { name, slug, description: 'Simulated data-engine run on synthetic scenes with known ground truth (dataengine simulate).' });
  const annotators: Actor[] = [];
  for (let i = 1; i <= options.annotators; i++) {
    const annotator = await user(`annotator-${i}`, 'annotator');
    await addMember(deps, manager, { projectId: project.id, email: annotator.email, role: 'annotator' });
    annotators.push(annotator);
  }
  return { project: { id: project.id, name: project.name, slug: project.slug }, manager, ops, annotators };
}

/** The checkpoint the simulation starts from: whatever is active, else the built-in bundle. */
export async function startingCheckpoint(deps: EngineDeps, modelDir: string): Promise<CheckpointRow> {
  const active = await ensureBuiltInCheckpoint(deps, modelDir);
  if (!active) throw new SimulationError(`no checkpoint is active and there is no built-in bundle at ${modelDir}; register one (ops console) or set DEFAULT_MODEL_DIR`);
  return active;
}

/**
 * Uploads scenes `indices` as one upload batch and waits until the ingest jobs have processed
 * them. Returns the scenes by image id, in upload order.
 */
export async function uploadScenes(
  deps: EngineDeps,
  manager: Actor,
  projectId: string,
  indices: readonly number[],
  options: Pick<SimulationOptions, 'seed' | 'width' | 'height' | 'minObjectArea' | 'scenes'>,
  wait: WaitOptions,
  /** Whether the image at this position of `indices` is uploaded as `val` (held out from training). */
  isVal: (position: number) => boolean = () => false,
): Promise<Map<number, SimulationScene>> {
  const scenes = new Map<number, SimulationScene>();
  if (indices.length === 0) return scenes;
  const batch = await beginUploadBatch(deps, manager, { projectId, files: indices.length });
  for (const [position, index] of indices.entries()) {
    const { scene, jpeg } = await buildSimulationScene(options.seed, index, options, options.minObjectArea, options.scenes);
    const split = isVal(position) ? 'val' : 'train';
    const { image, duplicate } = await uploadImage(deps, manager, { projectId, fileName: scene.fileName, body: Readable.from([jpeg]), runId: batch.id, split });
    if (duplicate) throw new SimulationError(`scene ${index} produced the same image as an earlier one; choose another --seed`);
    scenes.set(image.id, scene);
  }
  const run = await waitForRun(deps, batch.id, `the ingest of ${indices.length} images`, wait);
  assertRunSucceeded(run, 'ingest');
  if (run.failed > 0) throw new SimulationError(`ingest failed for ${run.failed} of ${run.total} images: ${run.error ?? ''}`);
  return scenes;
}
