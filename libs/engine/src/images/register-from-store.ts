// Images already in object storage, registered in place: a project's manager names a bucket prefix
// (or gives up to MAX_REGISTER_KEYS keys) and a worker lists it page by page, adding one pending
// image per image object and queueing its ingest. Nothing is copied: the image's blob key names the
// object itself (sources/<bucket>/<key>), which ingest reads by streaming and presigned GETs serve.
//
// The run is an ingest run (params.source 'register'), so its items, counts, sweep and the runs
// pages are the upload batches'. Its total starts at 1, a slot held by the listing itself: items
// that finish while pages are still being listed cannot close the run early, and the listing gives
// the slot back when it ends (register-listing.ts).
import { describeRegisterSource, withinRegisterSources } from '@dataengine/config';
import { AppError, type RegisterFromStoreInput, type RegisterOptions, type RunDto } from '@dataengine/contracts';
import { isObjectSourceLister, SourceListingError, type ObjectSourceLister } from '@dataengine/storage';
import type { Actor } from '../access/actor';
import { requireProject } from '../access/project-access';
import type { EngineDeps } from '../engine-deps';
import { queueRunJobs } from '../runs/run-enqueue';
import { createRun, getRun } from '../runs/runs';
import { REGISTER_PAGE_KEYS } from './register-listing';

const NEEDS_OBJECT_STORAGE =
  'registering images in place needs object storage: this installation keeps its blobs on local disk (BLOB_STORE=local). Upload the images instead, or ask ops to move the blob store to an S3-compatible bucket (BLOB_STORE=s3)';
const NOT_ENABLED = 'registering images from object storage is not enabled on this installation: ops list the buckets and prefixes managers may register from in REGISTER_SOURCES (e.g. s3://datasets/sa1b/)';

/** The store as a lister of buckets, or a clear refusal where blobs live on local disk. */
export function objectSourceOf(deps: EngineDeps): ObjectSourceLister {
  if (isObjectSourceLister(deps.blobs)) return deps.blobs;
  throw new AppError('CONFLICT', NEEDS_OBJECT_STORAGE);
}

export async function registerFromStore(deps: EngineDeps, actor: Actor, input: RegisterFromStoreInput): Promise<RunDto> {
  await requireProject(deps.db, actor, input.projectId, 'images.register');
  const source = objectSourceOf(deps);
  const bucket = input.bucket ?? source.bucket;
  const keys = 'keys' in input ? [...new Set(input.keys)] : undefined;
  const prefix = 'prefix' in input ? input.prefix : undefined;
  assertAllowedSource(deps, bucket, prefix !== undefined ? [prefix] : keys!);
  // the bucket (and, for a prefix, that it holds anything) is checked here, so the caller hears
  // about a wrong name at once instead of finding a failed run later
  await assertListable(source, bucket, prefix ?? keys![0]!, prefix !== undefined);
  const run = await createRun(deps, {
    kind: 'ingest',
    projectId: input.projectId,
    params: { source: 'register', bucket, split: input.split, ...(prefix !== undefined ? { prefix } : { keys }) },
    createdById: actor.id,
    total: 1,
  });
  await queueRunJobs(deps, run.id, () => deps.jobs.enqueue('register', { runId: run.id }).then(() => undefined));
  return getRun(deps, actor, run.id);
}

/** What the project page's form needs to know: whether registering works here, and from where. */
export async function getRegisterOptions(deps: EngineDeps, actor: Actor, input: { projectId: string }): Promise<RegisterOptions> {
  await requireProject(deps.db, actor, input.projectId, 'images.register');
  const sources = (deps.settings.registerSources ?? []).map(describeRegisterSource);
  if (!isObjectSourceLister(deps.blobs)) return { available: false, reason: NEEDS_OBJECT_STORAGE, defaultBucket: null, sources };
  if (sources.length === 0) return { available: false, reason: NOT_ENABLED, defaultBucket: deps.blobs.bucket, sources };
  return { available: true, reason: null, defaultBucket: deps.blobs.bucket, sources };
}

/**
 * Ops name where managers may register from (REGISTER_SOURCES): the platform's credentials can read
 * more than a project should see, the store's own bucket with every project's images first.
 */
export function assertAllowedSource(deps: EngineDeps, bucket: string, keysOrPrefix: readonly string[]): void {
  const sources = deps.settings.registerSources ?? [];
  if (sources.length === 0) {
    throw new AppError('FORBIDDEN', NOT_ENABLED);
  }
  const outside = keysOrPrefix.filter((key) => !withinRegisterSources(sources, bucket, key));
  if (outside.length === 0) return;
  const shown = outside.slice(0, 3).map((key) => `s3://${bucket}/${key}`).join(', ');
  throw new AppError('FORBIDDEN', `${shown}${outside.length > 3 ? ` and ${outside.length - 3} more` : ''} ${outside.length === 1 ? 'is' : 'are'} outside the sources this installation allows (${sources.map(describeRegisterSource).join(', ')}); register from inside one of them, or ask ops to add it to REGISTER_SOURCES`, {
    bucket,
    outside: outside.length,
  });
}

async function assertListable(source: ObjectSourceLister, bucket: string, prefix: string, mustHoldObjects: boolean): Promise<void> {
  let page;
  try {
    // a page as the listing job asks for (not one key): a server that cannot page (s3rver) fails a
    // truncated listing, and one page of keys is cheap next to registering them
    page = await source.listSourcePage({ bucket, prefix, token: null, maxKeys: REGISTER_PAGE_KEYS });
  } catch (error) {
    if (error instanceof SourceListingError) throw new AppError(error.reason === 'bucket-missing' ? 'NOT_FOUND' : 'FORBIDDEN', error.message, { bucket });
    throw error;
  }
  if (mustHoldObjects && page.objects.length === 0) {
    throw new AppError('NOT_FOUND', `no objects under s3://${bucket}/${prefix}; check the prefix (keys are case-sensitive) and the bucket`, { bucket, prefix });
  }
}
