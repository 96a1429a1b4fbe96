import type { AppConfig, Logger } from '@dataengine/config';
import { createEngineRuntime, failAbandonedRuns, isInfrastructureOutage, purgeExpiredSessions, recordGivenUpJob, sweepRuns } from '@dataengine/engine';
import { createWorkerConnection, jobCatalog, startWorkerRuntime, type Processor } from '@dataengine/queue';
import { followCheckpoints, type ActiveCheckpointView } from './checkpoint-follower';
import { createProcessors } from './processors';

export interface RunningWorker {
  queues: string[];
  /** The checkpoints this worker has fetched and opened (empty on a worker without model queues). */
  checkpoints(): ActiveCheckpointView[];
  stop(): Promise<void>;
}

const HOUSEKEEPING_INTERVAL_MS = 60_000;
/** Queues whose jobs open a checkpoint bundle: their workers follow promotions. */
const MODEL_QUEUES = ['embed', 'infer', 'train'];

/**
 * Starts consuming the configured queues. `processors` can be overridden (tests); a table that
 * does not cover the job catalog makes start-up fail before any job is taken.
 */
export async function startWorker(
  config: AppConfig,
  logger: Logger,
  override?: (defaults: Record<string, Processor<never>>) => Record<string, Processor<never>>,
): Promise<RunningWorker> {
  const runtime = createEngineRuntime(config, logger, { service: 'worker' });
  const defaults = createProcessors(runtime.deps) as unknown as Record<string, Processor<never>>;
  try {
    const workers = await startWorkerRuntime({
      catalog: jobCatalog,
      processors: override ? override(defaults) : defaults,
      connection: () => createWorkerConnection(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      queues: config.WORKER_QUEUES ? config.WORKER_QUEUES.split(',').map((q) => q.trim()).filter(Boolean) : undefined,
      concurrency: config.WORKER_CONCURRENCY,
      lockDurationMs: config.WORKER_LOCK_MS,
      stalledIntervalMs: config.WORKER_STALLED_CHECK_MS,
      logger,
      // PostgreSQL, Redis or the object store away: tried again for minutes (OUTAGE_RETRY), not three times
      isOutage: isInfrastructureOutage,
      // no try left (retries spent, or its workers died holding it too often): close what it worked for
      onJobGaveUp: (name, payload, error) => recordGivenUpJob(runtime.deps, name, payload, error),
    });
    const housekeeping = setInterval(() => {
      purgeExpiredSessions(runtime.deps).catch((error: unknown) => logger.warn('session purge failed', { error }));
      // a retrain/evaluate whose worker died twice is failed here rather than shown running forever
      failAbandonedRuns(runtime.deps).catch((error: unknown) => logger.warn('abandoned-run check failed', { error }));
    }, HOUSEKEEPING_INTERVAL_MS);
    housekeeping.unref();
    const follower = workers.queues.some((q) => MODEL_QUEUES.includes(q)) ? await followCheckpoints(runtime.deps, config.QUEUE_PREFIX, logger) : null;
    // runs, items and uploads that no queued job stands for any more (run-sweep.ts); once soon after
    // start (a restart after an outage), then every RUN_SWEEP_INTERVAL_MS
    let sweeping: Promise<void> | null = null;
    const sweep = () => {
      sweeping ??= sweepRuns(runtime.deps, { stuckAfterMs: config.RUN_STUCK_AFTER_MS })
        .then(() => undefined, (error: unknown) => logger.warn('run sweep failed', { error }))
        .finally(() => (sweeping = null));
    };
    const firstSweep = setTimeout(sweep, Math.min(5_000, config.RUN_SWEEP_INTERVAL_MS));
    const sweeps = setInterval(sweep, config.RUN_SWEEP_INTERVAL_MS);
    firstSweep.unref();
    sweeps.unref();
    return {
      queues: workers.queues,
      checkpoints: () => follower?.active() ?? [],
      async stop() {
        clearTimeout(firstSweep);
        clearInterval(sweeps);
        clearInterval(housekeeping);
        await sweeping;
        await workers.close();
        await follower?.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
