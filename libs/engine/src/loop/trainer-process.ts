// The Python trainer (trainer/README.md) as a subprocess: JSON-lines events on stdout, one
// `error: ...` line on stderr for caller errors, SIGTERM → a clean stop after the current step.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EngineSettings } from '../engine-deps';

export type TrainerCommand = 'train' | 'eval' | 'export' | 'import-sam';

export interface TrainerEvent {
  event: string;
  [field: string]: unknown;
}

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The trainer's one-line error (or the last stderr line) when it failed. */
  error: string | null;
}

export interface TrainerProcess {
  pid: number | undefined;
  /** Settles when the process has exited (never rejects). */
  done: Promise<TrainerExit>;
  /** SIGTERM now; SIGKILL if it is still alive after the grace period. */
  stop(graceMs?: number): void;
}

const STDERR_LINES_KEPT = 40;
const DEFAULT_STOP_GRACE_MS = 30_000;

export type TrainerSettings = Pick<EngineSettings, 'TRAINER_PYTHON' | 'trainerDir' | 'TRAINER_THREADS'>;

export function spawnTrainer(settings: TrainerSettings, command: TrainerCommand, args: string[], onEvent: (event: TrainerEvent) => void = () => undefined): TrainerProcess {
  const child = spawn(settings.TRAINER_PYTHON, ['-m', 'dataengine_trainer', command, ...args], {
    cwd: settings.trainerDir,
    // the worker's environment plus the trainer's: one BLAS thread, torch threads set by --threads
    // eslint-disable-next-line no-restricted-properties -- passing the environment on to a child, not reading configuration
    env: { ...process.env, PYTHONPATH: settings.trainerDir, OPENBLAS_NUM_THREADS: '1', TRAINER_THREADS: String(settings.TRAINER_THREADS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  let spawnError: Error | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    let event: TrainerEvent;
    try {
      event = JSON.parse(line) as TrainerEvent;
    } catch {
      return; // a torch warning that happens to start with "{"; progress lines are whole JSON objects
    }
    if (typeof event.event === 'string') onEvent(event);
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (!line.trim()) return;
    stderr.push(line);
    if (stderr.length > STDERR_LINES_KEPT) stderr.shift();
  });
  child.on('error', (error) => {
    spawnError = error;
  });
  let killTimer: NodeJS.Timeout | undefined;
  const done = new Promise<TrainerExit>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      const failed = spawnError !== null || code !== 0;
      resolve({ code, signal, error: failed ? describeFailure(settings, spawnError, code, signal, stderr) : null });
    });
  });
  return {
    pid: child.pid,
    done,
    stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      killTimer.unref();
    },
  };
}

function describeFailure(settings: TrainerSettings, spawnError: Error | null, code: number | null, signal: NodeJS.Signals | null, stderr: string[]): string {
  if (spawnError) return `cannot start the trainer with ${settings.TRAINER_PYTHON} (${spawnError.message}); set TRAINER_PYTHON to an interpreter that has python3-torch`;
  const errorLine = [...stderr].reverse().find((l) => l.startsWith('error: '));
  if (errorLine) return errorLine.slice('error: '.length);
  const last = stderr[stderr.length - 1];
  const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
  return last ? `the trainer ${how}: ${last}` : `the trainer ${how}`;
}

/** Runs a trainer command to completion, e.g. `export`. */
export async function runTrainerCommand(settings: TrainerSettings, command: TrainerCommand, args: string[], onEvent?: (event: TrainerEvent) => void): Promise<TrainerExit> {
  return spawnTrainer(settings, command, args, onEvent).done;
}
