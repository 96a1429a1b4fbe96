import type { CliCommand } from './cli-command.types';
import { amgCommand } from './commands/amg.command';
import { checkpointCommand } from './commands/checkpoint.command';
import { segmentCommand } from './commands/segment.command';
import { simulateCommand } from './commands/simulate.command';
import { userCommand } from './commands/user.command';

/**
 * Every `dataengine` subcommand, registered in ONE place (like a job catalog).
 *
 * To add a command (as `amg` was): write `commands/<name>.command.ts` exporting a
 * `CliCommand` (`name`, `summary`, `usage`, `run(args, io) → exit code`; throw `CliError` for
 * caller mistakes), import it here and append it to COMMANDS. Names must be unique: start-up
 * fails otherwise (checked by `buildCommandTable`, covered by a test).
 * Helpers to reuse: `parseCliArgs` / `parseNumberList` / `parsePositiveInt` (cli-args.ts),
 * `loadRgbImage` + `DEFAULT_MAX_PIXELS` (load-image.ts: sharp, pixel limit, clear errors),
 * `resolveCheckpoint` (commands/segment.command.ts: --checkpoint or models/default), and
 * `openBundle(dir).predictor` from @dataengine/segment/node (`embedImage`, `decodeLogits`).
 */
export const COMMANDS: readonly CliCommand[] = [segmentCommand, amgCommand, checkpointCommand, simulateCommand, userCommand];

export function buildCommandTable(commands: readonly CliCommand[] = COMMANDS): ReadonlyMap<string, CliCommand> {
  const table = new Map<string, CliCommand>();
  for (const c of commands) {
    if (table.has(c.name)) throw new Error(`two CLI commands are named "${c.name}"`);
    table.set(c.name, c);
  }
  return table;
}
