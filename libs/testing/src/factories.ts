// Builders with overridable defaults. The demo seed uses the same ones.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ProjectRole, UserRole } from '@dataengine/contracts';
import type { Db } from '@dataengine/db';
import { hashPassword, ingestImage, uploadImage, type Actor, type EngineDeps } from '@dataengine/engine';
import { syntheticImageBytes } from './test-images';

export interface MadeUser extends Actor {
  password: string;
}

export async function makeUser(db: Db, overrides: Partial<{ role: UserRole; email: string; name: string; password: string }> = {}): Promise<MadeUser> {
  const role = overrides.role ?? 'annotator';
  const password = overrides.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const email = (overrides.email ?? `${role}-${randomBytes(4).toString('hex')}@example.test`).toLowerCase();
  const user = await db.user.create({
    data: { email, name: overrides.name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${email.split('@')[0]}`, role, passwordHash: await hashPassword(password) },
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role, password };
}

export async function makeProject(
  db: Db,
  overrides: { createdBy: Actor; name?: string; slug?: string; members?: { user: Actor; role: ProjectRole }[] },
): Promise<{ id: string; name: string; slug: string }> {
  const name = overrides.name ?? `Project ${randomBytes(3).toString('hex')}`;
  const slug = overrides.slug ?? name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const members = overrides.members ?? [];
  if (!members.some((m) => m.user.id === overrides.createdBy.id) && overrides.createdBy.role === 'manager') {
    members.push({ user: overrides.createdBy, role: 'manager' });
  }
  const project = await db.project.create({
    data: {
      name,
      slug,
      createdById: overrides.createdBy.id,
      members: { create: members.map((m) => ({ userId: m.user.id, role: m.role })) },
      stageCounters: { create: { stage: 'assisted_manual' } },
    },
  });
  return { id: project.id, name: project.name, slug: project.slug };
}

/** Synthetic PNG scenes, one per seed, uploaded and ingested through the engine's use cases; their ids in seed order. */
export async function addSyntheticImages(
  deps: EngineDeps,
  uploader: Actor,
  input: { projectId: string; seeds: number[]; width: number; height: number; fileName?: (seed: number) => string },
): Promise<number[]> {
  const ids: number[] = [];
  for (const seed of input.seeds) {
    const bytes = await syntheticImageBytes({ seed, width: input.width, height: input.height, format: 'png' });
    const fileName = input.fileName?.(seed) ?? `scene-${seed}.png`;
    const { image } = await uploadImage(deps, uploader, { projectId: input.projectId, fileName, body: Readable.from([bytes]) });
    await ingestImage(deps, { imageId: image.id });
    ids.push(image.id);
  }
  return ids;
}
