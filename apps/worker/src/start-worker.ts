import type { AppConfig, Logger } from '@dataengine/config';
import { createEngineRuntime, failAbandonedRuns, failGivenUpRunItem, purgeExpiredSessions } from '@dataengine/engine';
import { createWorkerConnection, jobCatalog, startWorkerRuntime, type Processor } from '@dataengine/queue';
import { createProcessors } from './processors';

export interface RunningWorker {
  queues: string[];
  stop(): Promise<void>;
}

const HOUSEKEEPING_INTERVAL_MS = 60_000;

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
      onJobGaveUp: async (name, payload, error) => {
        if (name !== 'prefill' && name !== 'autogen') return;
        const job = payload as { runId: string; imageId: number };
        await failGivenUpRunItem(runtime.deps, job, `given up after repeated worker failures: ${error.message}`);
      },
    });
    const housekeeping = setInterval(() => {
      purgeExpiredSessions(runtime.deps).catch((error: unknown) => logger.warn('session purge failed', { error }));
      // a retrain/evaluate whose worker died twice is failed here rather than shown running forever
      failAbandonedRuns(runtime.deps).catch((error: unknown) => logger.warn('abandoned-run check failed', { error }));
    }, HOUSEKEEPING_INTERVAL_MS);
    housekeeping.unref();
    return {
      queues: workers.queues,
      async stop() {
        clearInterval(housekeeping);
        await workers.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
