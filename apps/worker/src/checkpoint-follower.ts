// Keeps a worker on the checkpoints ops promote, on whatever host it runs: at start-up and on every
// `checkpoint.activated` event (Redis pub/sub, the same channel the API forwards to open tools) the
// worker fetches the bundle through the blob store into its own local copy (nothing read from
// another host's disk), pins it in its cache, validates it, and says so in its log ("checkpoint
// switched"). Jobs name their checkpoint, so a run started after the promotion uses the new one; this
// makes the switch warm and visible, and lets the cache evict the replaced bundle.
import type { Logger } from '@dataengine/config';
import { checkpointDir, getActiveCheckpoint, pinnedBundles, releaseBundle, type EngineDeps } from '@dataengine/engine';
import { subscribeToEvents, type EngineEvent, type EventSubscription } from '@dataengine/queue';
import { openBundle } from '@dataengine/segment/node';
import type { Redis } from 'ioredis';

export interface ActiveCheckpointView {
  /** null: the global scope; otherwise the project that has a checkpoint of its own. */
  projectId: string | null;
  checkpointId: string;
  name: string;
  bundleKey: string;
  dir: string;
}

export interface CheckpointFollower {
  /** The checkpoints this worker has ready, one per scope it has seen activated. */
  active(): ActiveCheckpointView[];
  close(): Promise<void>;
}

const scopeOf = (projectId: string | null) => projectId ?? 'global';

export async function followCheckpoints(deps: EngineDeps & { redis: Redis }, prefix: string, logger: Logger): Promise<CheckpointFollower> {
  const ready = new Map<string, ActiveCheckpointView>();
  let chain: Promise<void> = Promise.resolve();

  const prepare = async (checkpointId: string, projectId: string | null, event: 'checkpoint ready' | 'checkpoint switched') => {
    const checkpoint = await deps.db.checkpoint.findUnique({ where: { id: checkpointId } });
    if (!checkpoint) return;
    const startedAt = Date.now();
    const dir = await checkpointDir(deps, checkpoint);
    await openBundle(dir);
    const previous = ready.get(scopeOf(projectId));
    ready.set(scopeOf(projectId), { projectId, checkpointId: checkpoint.id, name: checkpoint.name, bundleKey: checkpoint.bundleKey, dir });
    // the cache may evict the bundles no scope has active now: the replaced one, candidates that
    // evaluate opened (a later job that needs one fetches and pins it again)
    const active = await deps.db.checkpoint.findMany({ where: { status: 'active' }, select: { bundleKey: true } });
    const activeKeys = new Set([checkpoint.bundleKey, ...active.map((c) => c.bundleKey)]);
    const released = pinnedBundles().filter((key) => !activeKeys.has(key) && releaseBundle(key));
    logger.info(event, { checkpointId: checkpoint.id, name: checkpoint.name, projectId, previous: previous?.checkpointId ?? null, released, ms: Date.now() - startedAt });
  };
  // one at a time, in the order the promotions happened
  const enqueue = (task: () => Promise<void>) => {
    chain = chain.then(task).catch((error: unknown) => logger.warn('could not prepare the promoted checkpoint; its jobs will fetch it when they run', { error }));
    return chain;
  };

  // a promotion published while this worker's Redis connection was down is not delivered again:
  // after a reconnect, compare with what is active now
  const resync = async () => {
    const active = await deps.db.checkpoint.findMany({ where: { status: 'active' }, select: { id: true, projectId: true } });
    for (const checkpoint of active) {
      const held = ready.get(scopeOf(checkpoint.projectId));
      if (held?.checkpointId !== checkpoint.id && (held || checkpoint.projectId === null)) await prepare(checkpoint.id, checkpoint.projectId, 'checkpoint switched');
    }
  };

  let subscription: EventSubscription | null = null;
  try {
    const subscriber = deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    subscriber.on('error', () => undefined); // it reconnects by itself; 'ready' below says when
    let connected = false;
    subscriber.on('ready', () => {
      if (connected) void enqueue(resync);
      connected = true;
    });
    subscription = await subscribeToEvents(subscriber, prefix);
    subscription.listen((event: EngineEvent) => {
      if (event.type === 'checkpoint.activated') void enqueue(() => prepare(event.checkpointId, event.projectId, 'checkpoint switched'));
    });
  } catch (error) {
    logger.warn('not following checkpoint promotions (Redis subscription failed); jobs still fetch the checkpoint they name', { error });
  }
  const active = await getActiveCheckpoint(deps).catch(() => null);
  if (active) void enqueue(() => prepare(active.id, null, 'checkpoint ready'));

  return {
    active: () => [...ready.values()],
    async close() {
      await subscription?.close();
      await chain;
    },
  };
}
