// The simulation's jobs run where every job runs: in worker processes (apps/worker) consuming the
// installation's queues. The CLI starts them as child processes with its own configuration and
// stops them at the end; one that dies aborts the simulation with its last log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { AppConfig } from '@dataengine/config';
import { CliError } from '../cli-command.types';
import { REPO_ROOT } from '../repo-paths';

export interface WorkerPool {
  /** Aborted (with the reason) when a worker exits before `stop`. */
  signal: AbortSignal;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 90_000;

export interface WorkerProcessOptions {
  modelDir: string;
  /** The evaluate runs' NoC click cap (EVAL_NOC_MAX_CLICKS); the installation's when omitted. */
  evalNocMaxClicks?: number;
  echo?: (line: string) => void;
}

export async function startWorkerProcesses(config: AppConfig, count: number, options: WorkerProcessOptions): Promise<WorkerPool> {
  const controller = new AbortController();
  let stopping = false;
  const env: Record<string, string> = {
    DATABASE_URL: config.DATABASE_URL,
    DATABASE_SCHEMA: config.DATABASE_SCHEMA,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    BLOB_DIR: config.blobDir,
    DEFAULT_MODEL_DIR: options.modelDir,
    WORKER_CONCURRENCY: String(config.WORKER_CONCURRENCY),
    WORKER_QUEUES: config.WORKER_QUEUES,
    // "worker started" is an info line
    LOG_LEVEL: config.LOG_LEVEL === 'debug' ? 'debug' : 'info',
    TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.json'),
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    ...(options.evalNocMaxClicks !== undefined ? { EVAL_NOC_MAX_CLICKS: String(options.evalNocMaxClicks) } : {}),
  };
  const workers = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'apps/worker/src/main.ts')], {
      cwd: REPO_ROOT,
      env: { ...inheritedEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      log = (log + text).slice(-20_000);
      if (options.echo) for (const line of text.split('\n').filter(Boolean)) options.echo(`[worker ${i + 1}] ${line}`);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code, signal) => {
      if (!stopping) controller.abort(new CliError(`worker ${i + 1} stopped unexpectedly (${signal ?? `exit ${code}`}); its last lines:\n${tail(log)}`));
    });
    return { child, log: () => log };
  });
  const stop = async () => {
    stopping = true;
    await Promise.all(workers.map(({ child }) => stopChild(child)));
  };
  try {
    await Promise.all(workers.map((w, i) => waitForStart(w, i, controller.signal)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { signal: controller.signal, stop };
}

function waitForStart(worker: { child: ChildProcess; log(): string }, i: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (worker.log().includes('"worker started"')) {
        clearInterval(timer);
        resolve();
      } else if (signal.aborted) {
        clearInterval(timer);
        reject(signal.reason);
      } else if (Date.now() - started > STARTUP_TIMEOUT_MS) {
        clearInterval(timer);
        reject(new CliError(`worker ${i + 1} did not start within ${STARTUP_TIMEOUT_MS / 1000} s; its last lines:\n${tail(worker.log())}`));
      }
    }, 100);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  // a worker finishes its active jobs first; a retrain in progress is stopped by its own SIGTERM handling
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

const tail = (log: string) =>
  log
    .trimEnd()
    .split('\n')
    .slice(-8)
    .map((l) => `  ${l}`)
    .join('\n');

/** The parent's environment for the child (PATH, HOME, …); the configuration itself is passed explicitly. */
function inheritedEnv(): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passing the environment through to a child, not reading configuration
  return process.env;
}
