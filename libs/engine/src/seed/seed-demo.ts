// The demo installation: one user per role, a project of synthetic scenes the annotator works in,
// and a second project the annotator is not a member of (so role differences are visible).
// Idempotent: running it again adds nothing that is already there.
import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { UserRole } from '@dataengine/contracts';
import { generateScene, type SceneOptions } from '@dataengine/synth';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { hashPassword } from '../auth/password';
import { uploadImage } from '../images/upload-image';
import { createRun } from '../runs/runs';
import { ensureBuiltInCheckpoint } from '../checkpoints/checkpoint-registry';

export const DEMO_PASSWORD = 'demo-password';

export const DEMO_USERS: { email: string; name: string; role: UserRole }[] = [
  { email: 'admin@demo.local', name: 'Ada Admin', role: 'admin' },
  { email: 'ops@demo.local', name: 'Oscar Ops', role: 'ops' },
  { email: 'manager@demo.local', name: 'Maya Manager', role: 'manager' },
  { email: 'annotator@demo.local', name: 'Ann Annotator', role: 'annotator' },
];

export interface DemoSeedOptions {
  images: number;
  /** Built-in checkpoint bundle to register as active when none is (skipped when absent). */
  modelDir?: string;
  width: number;
  height: number;
  seed: number;
}

/** What `npm run demo` and `npm run db:seed` seed: 24 scenes of 640×480, seeds from 1. */
export const DEMO_SEED = { images: 24, width: 640, height: 480, seed: 1 } as const satisfies DemoSeedOptions;

export interface DemoSeedResult {
  users: typeof DEMO_USERS;
  password: string;
  projects: { id: string; name: string; images: number }[];
  ingestRunIds: string[];
}

const PROJECTS = [
  { slug: 'synthetic-scenes', name: 'Synthetic scenes', description: 'Procedural scenes with exact ground truth: shapes, textures, occlusion and part hierarchies.', share: 1, annotator: true },
  { slug: 'restricted-survey', name: 'Restricted survey', description: 'A second project the demo annotator is not a member of.', share: 0.25, annotator: false },
];

export async function seedDemo(deps: EngineDeps, options: DemoSeedOptions): Promise<DemoSeedResult> {
  const byRole = new Map<UserRole, Actor>();
  for (const u of DEMO_USERS) {
    const row =
      (await deps.db.user.findUnique({ where: { email: u.email } })) ??
      (await deps.db.user.create({ data: { ...u, passwordHash: await hashPassword(DEMO_PASSWORD) } }));
    byRole.set(u.role, { id: row.id, email: row.email, name: row.name, role: row.role });
  }
  const manager = byRole.get('manager')!;
  if (options.modelDir) await ensureBuiltInCheckpoint(deps, options.modelDir);
  const result: DemoSeedResult = { users: DEMO_USERS, password: DEMO_PASSWORD, projects: [], ingestRunIds: [] };

  for (const [index, spec] of PROJECTS.entries()) {
    const project =
      (await deps.db.project.findUnique({ where: { slug: spec.slug } })) ??
      (await deps.db.project.create({
        data: {
          slug: spec.slug,
          name: spec.name,
          description: spec.description,
          createdById: manager.id,
          members: { create: [{ userId: manager.id, role: 'manager' }, ...(spec.annotator ? [{ userId: byRole.get('annotator')!.id, role: 'annotator' as const }] : [])] },
          stageCounters: { create: { stage: 'assisted_manual' } },
        },
      }));
    const want = Math.max(1, Math.round(options.images * spec.share));
    const have = await deps.db.image.count({ where: { projectId: project.id } });
    if (have < want) {
      const run = await createRun(deps, {
        kind: 'ingest',
        projectId: project.id,
        params: { source: 'demo-seed' },
        createdById: manager.id,
        total: want - have,
      });
      result.ingestRunIds.push(run.id);
      for (let i = have; i < want; i++) {
        await uploadImage(deps, manager, {
          projectId: project.id,
          fileName: sceneFileName(i),
          body: Readable.from([await sceneJpeg(sceneOptionsAt(options, index, i))]),
          runId: run.id,
          split: i % 5 === 4 ? 'val' : 'train',
        });
      }
    }
    result.projects.push({ id: project.id, name: project.name, images: want });
  }
  return result;
}

/**
 * The generateScene options a seeded demo image was drawn with (so its ground truth is
 * generateScene(options).instances), from its project's slug and file name; null when the demo
 * seed did not make that image.
 */
export function demoSceneOptions(options: Pick<DemoSeedOptions, 'width' | 'height' | 'seed'>, projectSlug: string, fileName: string): SceneOptions | null {
  const projectIndex = PROJECTS.findIndex((p) => p.slug === projectSlug);
  const match = /^scene-(\d{4,})\.jpg$/.exec(fileName);
  if (projectIndex < 0 || !match) return null;
  return sceneOptionsAt(options, projectIndex, Number(match[1]) - 1);
}

const sceneFileName = (i: number) => `scene-${String(i + 1).padStart(4, '0')}.jpg`;

function sceneOptionsAt(options: Pick<DemoSeedOptions, 'width' | 'height' | 'seed'>, projectIndex: number, i: number): SceneOptions {
  return { seed: options.seed + projectIndex * 10_000 + i, width: options.width, height: options.height };
}

async function sceneJpeg(sceneOptions: SceneOptions): Promise<Buffer> {
  const { width, height } = sceneOptions;
  const scene = generateScene(sceneOptions);
  return sharp(Buffer.from(scene.rgb.buffer, scene.rgb.byteOffset, scene.rgb.byteLength), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
