// The worker process: consumes BullMQ queues of the job catalog. SIGTERM → stop taking jobs,
// let active ones finish, close connections, exit.
import { createLogger, loadConfig } from '@dataengine/config';
import { startWorker } from './start-worker';

const config = loadConfig();
const logger = createLogger({ service: 'worker', pid: process.pid }, config.LOG_LEVEL);

// the signal handlers go in before start-up: a SIGTERM right after "worker started" is a clean stop
const started = startWorker(config, logger);
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('worker stopping: finishing active jobs', { signal });
  started
    .then((worker) => worker.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('worker did not stop cleanly', { error });
        process.exit(1);
      },
    );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
  await started;
} catch (error) {
  logger.error('worker failed to start', { error });
  process.exit(1);
}
