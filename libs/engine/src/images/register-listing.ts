// The `register` job: lists what a registration names, a page at a time, and turns each image
// object into a pending image of the project with its ingest queued. A page commits its images, run
// items and the run's total together, then records the continuation token after it in the run's
// progress, so a retried job resumes after the last page done and memory holds one page.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AppError, registerParamsSchema, type RegisterParams } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { InvalidBlobKeyError, listPages, sourceBlobKey, SourceListingError, type SourcePage } from '@dataengine/storage';
import type { EngineDeps } from '../engine-deps';
import { isCancelRequested, loadLiveRun, markRunRunning, type RunRow } from '../runs/run-control';
import { finishRunIfComplete } from '../runs/runs';
import { assertAllowedSource, objectSourceOf } from './register-from-store';

/** Keys per listing page (S3's own maximum). */
export const REGISTER_PAGE_KEYS = 1_000;
/** File name endings listed objects need to be registered (the formats ingest reads; the bytes decide in the end). */
const IMAGE_NAME = /\.(jpe?g|png|webp|tiff?)$/i;
/** Skipped objects named in the run's result, as examples. */
const SKIPPED_EXAMPLES = 10;
/** Prefix of the content hash an image registered in place holds until its ingest has read it. */
export const UNREAD_SOURCE_HASH = 'source:';

/** What a registration has listed so far (the run's progress; counts are objects, not images). */
export interface RegisterProgress {
  listed: number;
  /** new images added to the project */
  registered: number;
  /** objects the project already held (registered before; skipped) */
  alreadyRegistered: number;
  /** images whose ingest had failed, queued again */
  retried: number;
  /** objects that are not images by name, or whose key cannot be referenced */
  skipped: number;
  skippedExamples: string[];
  /** continuation token of the next page; null once the listing is done */
  nextToken: string | null;
}

const emptyProgress = (): RegisterProgress => ({ listed: 0, registered: 0, alreadyRegistered: 0, retried: 0, skipped: 0, skippedExamples: [], nextToken: null });

export const unreadSourceHash = (blobKey: string) => UNREAD_SOURCE_HASH + createHash('sha256').update(blobKey).digest('hex');

export async function runRegisterListing(deps: EngineDeps, payload: { runId: string }): Promise<void> {
  const run = await loadLiveRun(deps, payload.runId, 'ingest');
  if (!run) return;
  const params = registerParamsSchema.parse(run.params);
  await markRunRunning(deps, run.id);
  const progress: RegisterProgress = { ...emptyProgress(), ...((run.progress ?? {}) as Partial<RegisterProgress>) };
  try {
    // ops may have narrowed REGISTER_SOURCES since the run started
    assertAllowedSource(deps, params.bucket, params.keys ?? [params.prefix!]);
  } catch (error) {
    if (error instanceof AppError) return endListing(deps, run.id, progress, error.message);
    throw error;
  }
  const source = objectSourceOf(deps);
  const pages: AsyncIterable<SourcePage> = params.keys
    ? (async function* () {
        yield { objects: params.keys!.map((key) => ({ key, size: 0 })), nextToken: null };
      })()
    : listPages((token) => source.listSourcePage({ bucket: params.bucket, prefix: params.prefix!, token, maxKeys: REGISTER_PAGE_KEYS }), progress.nextToken);
  try {
    for await (const page of pages) {
      // an ingest run stops at once when cancelled: its listing too
      if (await isCancelRequested(deps, run.id)) return;
      await registerPage(deps, run, params, page, progress);
      progress.nextToken = page.nextToken;
      await deps.db.run.updateMany({ where: { id: run.id, status: 'running' }, data: { progress: progress as unknown as Prisma.InputJsonValue } });
    }
  } catch (error) {
    // the bucket went away or stopped letting the platform list it: what was registered stays
    if (error instanceof SourceListingError) return endListing(deps, run.id, progress, `the listing stopped after ${progress.listed} objects: ${error.message}`);
    throw error;
  }
  await endListing(deps, run.id, progress);
}

/** Adds a page's image objects to the project and the run, and queues their ingest. */
async function registerPage(deps: EngineDeps, run: RunRow, params: RegisterParams, page: SourcePage, progress: RegisterProgress): Promise<void> {
  const projectId = run.projectId!;
  progress.listed += page.objects.length;
  const wanted = new Map<string, string>(); // blob key → object key
  for (const { key } of page.objects) {
    let reason = !IMAGE_NAME.test(key) ? 'not an image file name (.jpg, .jpeg, .png, .webp, .tif, .tiff)' : null;
    let blobKey: string | null = null;
    try {
      if (!reason) blobKey = sourceBlobKey(params.bucket, key);
    } catch (error) {
      if (!(error instanceof InvalidBlobKeyError)) throw error;
      reason = `${error.message}; rename the object to register it`;
    }
    if (!blobKey) {
      progress.skipped++;
      if (progress.skippedExamples.length < SKIPPED_EXAMPLES) {
        progress.skippedExamples.push(`${key}: ${reason}`);
      }
      continue;
    }
    wanted.set(blobKey, key);
  }
  if (wanted.size === 0) return;
  const blobKeys = [...wanted.keys()];
  const existing = await deps.db.image.findMany({ where: { projectId, blobKey: { in: blobKeys } }, select: { id: true, blobKey: true, status: true } });
  const ours = new Set((await deps.db.runItem.findMany({ where: { runId: run.id, imageId: { in: existing.map((e) => e.id) } }, select: { imageId: true } })).map((i) => i.imageId));
  // a retried page: the images this run already took are queued again (the queue joins live jobs)
  const requeue = existing.filter((e) => ours.has(e.id)).map((e) => e.id);
  // an object whose ingest failed (missing, unreadable, damaged then) is read again as it is now
  const retry = existing.filter((e) => !ours.has(e.id) && e.status === 'failed');
  const held = new Set(existing.map((e) => e.blobKey));
  const fresh = blobKeys.filter((k) => !held.has(k));
  const split = params.split === 'val' ? 'val' : 'train'; // auto: decided by content hash when ingest has read the bytes
  const added = await deps.db.$transaction(async (tx) => {
    const created = fresh.length
      ? await tx.image.createManyAndReturn({
          data: fresh.map((blobKey) => ({
            projectId,
            blobKey,
            contentHash: unreadSourceHash(blobKey),
            fileName: fileNameOf(wanted.get(blobKey)!),
            mime: 'application/octet-stream',
            byteSize: 0,
            width: 0,
            height: 0,
            split,
            uploadedById: run.createdById,
          })),
          skipDuplicates: true, // a registration running beside this one took it first
          select: { id: true },
        })
      : [];
    if (created.length) {
      await tx.stageCounter.upsert({
        where: { projectId_stage: { projectId, stage: 'assisted_manual' } },
        create: { projectId, stage: 'assisted_manual', imagesTotal: created.length },
        update: { imagesTotal: { increment: created.length } },
      });
    }
    // read as new: the object's bytes now decide its hash, size and split
    for (const r of retry) await tx.image.update({ where: { id: r.id }, data: { status: 'pending', error: null, contentHash: unreadSourceHash(r.blobKey) } });
    const ids = [...created.map((c) => c.id), ...retry.map((r) => r.id)];
    if (ids.length) {
      await tx.runItem.createMany({ data: ids.map((imageId) => ({ runId: run.id, imageId })), skipDuplicates: true });
      await tx.run.update({ where: { id: run.id }, data: { total: { increment: ids.length } } });
    }
    return { created: created.length, ids };
  });
  progress.registered += added.created;
  progress.retried += retry.length;
  progress.alreadyRegistered += existing.length - requeue.length - retry.length + (fresh.length - added.created);
  // one round trip for the page's ingests (one by one, 1,000 enqueues held a page for about a second)
  await deps.jobs.enqueueMany('ingest', [...added.ids, ...requeue].map((imageId) => ({ imageId, runId: run.id })));
}

/** The listing is over: its slot in the total is given back and what it found goes in the result. */
export async function endListing(deps: EngineDeps, runId: string, progress: RegisterProgress, error?: string): Promise<void> {
  const summary = { listed: progress.listed, registered: progress.registered, alreadyRegistered: progress.alreadyRegistered, retried: progress.retried, skipped: progress.skipped };
  await deps.db.$transaction(async (tx) => {
    // the run row locked first: ingest jobs add failed objects to its result meanwhile (noteSourceError)
    const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT "status"::text AS "status" FROM "runs" WHERE "id" = ${runId}::uuid FOR UPDATE`;
    if (locked?.status !== 'running' && locked?.status !== 'queued') return;
    const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { result: true } });
    const result = (run.result ?? {}) as Record<string, unknown>;
    await tx.run.update({
      where: { id: runId },
      data: {
        total: { decrement: 1 },
        result: { ...result, listing: { ...summary, skippedExamples: progress.skippedExamples, complete: !error }, counts: { ...((result['counts'] as object) ?? {}), ...summary } } as Prisma.InputJsonValue,
        progress: { ...progress, nextToken: null } as unknown as Prisma.InputJsonValue,
      },
    });
    await finishRunIfComplete(deps, tx, runId, error);
  });
  // nothing was registered and the listing failed: the run failed, not "succeeded with nothing"
  if (error && progress.registered + progress.retried === 0) {
    const after = await deps.db.run.findUniqueOrThrow({ where: { id: runId }, select: { total: true } });
    if (after.total === 0) await deps.db.run.update({ where: { id: runId }, data: { status: 'failed' } });
  }
}

/** What a run whose listing job the queue gave up on records (its last try failed). */
export async function giveUpRegisterListing(deps: EngineDeps, runId: string, reason: string): Promise<void> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { progress: true, status: true } });
  if (!run || (run.status !== 'running' && run.status !== 'queued')) return;
  await endListing(deps, runId, { ...emptyProgress(), ...((run.progress ?? {}) as Partial<RegisterProgress>) }, reason);
}

function fileNameOf(key: string): string {
  return path.posix.basename(key).slice(0, 200) || 'image';
}

export const isUnreadSource = (contentHash: string) => contentHash.startsWith(UNREAD_SOURCE_HASH);
