/** Where a command writes; the real process streams in main.ts, buffers in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** The built-in checkpoint used without --checkpoint (default: models/default; tests point it elsewhere). */
  defaultCheckpointDir?: string;
  /** All of standard input (e.g. `--password-stdin`); absent where there is none to read. */
  readStdin?(): Promise<string>;
}

/**
 * One `dataengine <name> …` subcommand. `run` receives the arguments after the name and resolves
 * with the exit code; it throws CliError (or a library error) for failures, which main prints as
 * one line on stderr.
 */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A caller mistake or an unusable input: printed as `dataengine: <message>`, exit code `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit codes: 0 ok, 1 failure (bad input, invalid bundle, runtime error), 2 usage error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
