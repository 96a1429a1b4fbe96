// `dataengine user …`: accounts from the command line, for whoever runs the installation (access to
// its database is the authority): the first administrator of a fresh installation, a forgotten
// password, an account to disable or enable. The same use cases as the admin's tRPC procedures.
import { randomBytes } from 'node:crypto';
import { createLogger } from '@dataengine/config';
import { userRoleSchema } from '@dataengine/contracts';
import { createEngineRuntime, createLoginThrottle, createUser, listAccounts, MIN_PASSWORD_LENGTH, resetPassword, setUserDisabled, setUserRole, SYSTEM_ACTOR, type EngineRuntime } from '@dataengine/engine';
import { parseCliArgs } from '../cli-args';
import { CliError, EXIT, type CliCommand, type CliIo } from '../cli-command.types';
import { loadCliConfig } from '../cli-config';

const USAGE = [
  'dataengine user create --email EMAIL --name NAME --role admin|ops|manager|annotator [--password-stdin]',
  'dataengine user reset-password --email EMAIL [--password-stdin]',
  'dataengine user disable --email EMAIL',
  'dataengine user enable --email EMAIL',
  'dataengine user set-role --email EMAIL --role admin|ops|manager|annotator',
  'dataengine user list',
].join('\n       ');

const NOTE_GENERATED = 'shown once: sign in with it and change it on the Account page';

/** A password from stdin (the first line), or a generated one. */
async function choosePassword(io: CliIo, fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: randomBytes(15).toString('base64url'), generated: true };
  if (!io.readStdin) throw new CliError('--password-stdin: this process has no standard input to read', EXIT.usage);
  const password = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`the password read from stdin has ${password.length} characters; it needs at least ${MIN_PASSWORD_LENGTH}`);
  return { password, generated: false };
}

function requireFlag(value: string | undefined, flag: string): string {
  if (!value) throw new CliError(`--${flag} is required\nusage: ${USAGE}`, EXIT.usage);
  return value;
}

async function withRuntime<T>(work: (runtime: EngineRuntime, queuePrefix: string) => Promise<T>): Promise<T> {
  const config = loadCliConfig();
  const runtime = createEngineRuntime(config, createLogger({ service: 'cli' }, 'error'), { service: 'cli' });
  try {
    return await work(runtime, config.QUEUE_PREFIX);
  } finally {
    await runtime.close();
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(
    args,
    { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
    USAGE,
  );
  const [sub, ...extra] = positionals;
  if (extra.length) throw new CliError(`unexpected argument "${extra[0]}"\nusage: ${USAGE}`, EXIT.usage);
  switch (sub) {
    case 'create': {
      const email = requireFlag(values.email, 'email');
      const name = requireFlag(values.name, 'name');
      const role = userRoleSchema.safeParse(requireFlag(values.role, 'role'));
      if (!role.success) throw new CliError(`--role must be admin, ops, manager or annotator, not "${values.role}"`, EXIT.usage);
      const { password, generated } = await choosePassword(io, values['password-stdin']);
      const user = await withRuntime((rt) => createUser(rt.deps, SYSTEM_ACTOR, { email, name, password, role: role.data }));
      io.stdout(`created ${user.role} ${user.email} (${user.name})\n${generated ? `password: ${password}   (${NOTE_GENERATED})\n` : ''}`);
      return EXIT.ok;
    }
    case 'reset-password': {
      const email = requireFlag(values.email, 'email');
      const { password, generated } = await choosePassword(io, values['password-stdin']);
      const user = await withRuntime(async (rt, prefix) => {
        const done = await resetPassword(rt.deps, SYSTEM_ACTOR, { email, password });
        // a locked account opens with its new password
        await createLoginThrottle(rt.deps.redis, prefix, rt.deps.logger).clearAccount(done.email).catch(() => io.stderr('dataengine: Redis unreachable: a sign-in lock on the account (if any) stays until it expires\n'));
        return done;
      });
      io.stdout(`new password set for ${user.email}; ${user.sessionsEnded} session(s) ended\n${generated ? `password: ${password}   (${NOTE_GENERATED})\n` : ''}`);
      return EXIT.ok;
    }
    case 'disable':
    case 'enable': {
      const email = requireFlag(values.email, 'email');
      const user = await withRuntime((rt) => setUserDisabled(rt.deps, SYSTEM_ACTOR, { email, disabled: sub === 'disable' }));
      io.stdout(sub === 'disable' ? `disabled ${user.email}; ${user.sessionsEnded} session(s) ended\n` : `enabled ${user.email}\n`);
      return EXIT.ok;
    }
    case 'set-role': {
      const email = requireFlag(values.email, 'email');
      const role = userRoleSchema.safeParse(requireFlag(values.role, 'role'));
      if (!role.success) throw new CliError(`--role must be admin, ops, manager or annotator, not "${values.role}"`, EXIT.usage);
      const user = await withRuntime((rt) => setUserRole(rt.deps, SYSTEM_ACTOR, { email, role: role.data }));
      io.stdout(`${user.email} is now ${user.role}\n`);
      return EXIT.ok;
    }
    case 'list': {
      const users = await withRuntime((rt) => listAccounts(rt.deps));
      if (users.length === 0) io.stdout('no users yet; create the first administrator with:\n  dataengine user create --role admin --email EMAIL --name NAME\n');
      for (const u of users) io.stdout(`${u.role.padEnd(10)} ${u.email.padEnd(36)} ${u.disabled ? 'disabled' : 'active  '} ${u.name}\n`);
      return EXIT.ok;
    }
    default:
      throw new CliError(`${sub === undefined ? 'a subcommand is required' : `unknown subcommand "${sub}"`}\nusage: ${USAGE}`, EXIT.usage);
  }
}

export const userCommand: CliCommand = {
  name: 'user',
  summary: 'create the first admin, reset a password, change a role, disable or enable an account',
  usage: USAGE,
  run,
};
