import { isAppError } from '@dataengine/contracts';
import { BundleError, InferenceError, PromptError } from '@dataengine/segment';
import { CliError, EXIT, type CliCommand, type CliIo } from './cli-command.types';
import { buildCommandTable, COMMANDS } from './command-registry';

function help(commands: readonly CliCommand[]): string {
  return ['usage: dataengine <command> [options]', '', 'commands:', ...commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`), '', 'dataengine <command> --help for its options', ''].join('\n');
}

/** Runs one CLI invocation; resolves with the exit code. Errors become `dataengine: <message>` on stderr. */
export async function runCli(argv: string[], io: CliIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const table = buildCommandTable(commands);
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = table.get(name);
  if (!command) {
    io.stderr(`dataengine: unknown command "${name}"\n${help(commands)}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`usage: ${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`dataengine: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof PromptError || error instanceof BundleError || error instanceof InferenceError || isAppError(error)) {
      io.stderr(`dataengine: ${error.message}\n`);
      return EXIT.failure;
    }
    io.stderr(`dataengine: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failure;
  }
}
