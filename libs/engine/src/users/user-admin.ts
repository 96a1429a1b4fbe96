// What an administrator does to accounts (the users.* procedures and the `dataengine user` CLI):
// disable or enable one, set a new password. Ending access means ending sessions at once.
import { AppError, type AccountDto, type UserDto, type UserRole } from '@dataengine/contracts';
import type { Prisma } from '@dataengine/db';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import { hashPassword } from '../auth/password';
import { MIN_PASSWORD_LENGTH } from './create-user';

const toDto = (u: { id: string; email: string; name: string; role: UserDto['role'] }): UserDto => ({ id: u.id, email: u.email, name: u.name, role: u.role });

async function findByEmail(deps: EngineDeps, email: string) {
  const normalized = email.trim().toLowerCase();
  const user = await deps.db.user.findUnique({ where: { email: normalized } });
  if (!user) throw new AppError('NOT_FOUND', `no user has the e-mail ${normalized}`);
  return user;
}

/**
 * Disables (every session of the user ends; sign-in is refused with a message saying so) or
 * enables an account. Nobody disables their own account — that is how installations lose their
 * last administrator.
 */
export async function setUserDisabled(deps: EngineDeps, actor: Actor, input: { email: string; disabled: boolean }): Promise<UserDto & { disabled: boolean; sessionsEnded: number }> {
  requireGlobal(actor, 'users.manage');
  const user = await findByEmail(deps, input.email);
  if (input.disabled && user.id === actor.id) throw new AppError('BAD_REQUEST', 'you cannot disable your own account; ask another administrator');
  if (!input.disabled) {
    await deps.db.user.update({ where: { id: user.id }, data: { disabledAt: null } });
    return { ...toDto(user), disabled: false, sessionsEnded: 0 };
  }
  const ended = await deps.db.$transaction(async (tx) => {
    await keepAnEnabledAdmin(tx, user);
    await tx.user.update({ where: { id: user.id }, data: { disabledAt: user.disabledAt ?? nowOf(deps) } });
    return tx.session.deleteMany({ where: { userId: user.id } });
  });
  return { ...toDto(user), disabled: true, sessionsEnded: ended.count };
}

/** An administrator sets a user's password (a forgotten one): every session of the user ends. */
export async function resetPassword(deps: EngineDeps, actor: Actor, input: { email: string; password: string }): Promise<UserDto & { sessionsEnded: number }> {
  requireGlobal(actor, 'users.manage');
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new AppError('BAD_REQUEST', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  const user = await findByEmail(deps, input.email);
  const passwordHash = await hashPassword(input.password);
  const [, ended] = await deps.db.$transaction([
    deps.db.user.update({ where: { id: user.id }, data: { passwordHash } }),
    deps.db.session.deleteMany({ where: { userId: user.id } }),
  ]);
  return { ...toDto(user), sessionsEnded: ended.count };
}

/** Accounts that can sign in and administer: none means the installation still needs its first admin. */
export function countActiveAdmins(deps: Pick<EngineDeps, 'db'>): Promise<number> {
  return deps.db.user.count({ where: { role: 'admin', disabledAt: null } });
}

/** Every account with its state, for the CLI's `user list`. */
export async function listAccounts(deps: Pick<EngineDeps, 'db'>): Promise<(UserDto & { disabled: boolean; createdAt: Date })[]> {
  const users = await deps.db.user.findMany({ orderBy: { email: 'asc' } });
  return users.map((u) => ({ ...toDto(u), disabled: u.disabledAt !== null, createdAt: u.createdAt }));
}

/** Every account with its state and last activity, for an administrator's Users page. */
export async function listAccountsFor(deps: EngineDeps, actor: Actor): Promise<AccountDto[]> {
  requireGlobal(actor, 'users.manage');
  const [users, seen] = await Promise.all([
    deps.db.user.findMany({ orderBy: { email: 'asc' } }),
    deps.db.session.groupBy({ by: ['userId'], _max: { lastSeenAt: true } }),
  ]);
  const lastSeen = new Map(seen.map((s) => [s.userId, s._max.lastSeenAt]));
  return users.map((u) => ({
    ...toDto(u),
    disabled: u.disabledAt !== null,
    createdAt: u.createdAt.toISOString(),
    lastActiveAt: lastSeen.get(u.id)?.toISOString() ?? null,
  }));
}

/**
 * Changes an account's global role; it applies from the user's next request (sessions read the
 * role each time). Nobody changes their own role, and the last enabled administrator stays one.
 */
export async function setUserRole(deps: EngineDeps, actor: Actor, input: { email: string; role: UserRole }): Promise<UserDto> {
  requireGlobal(actor, 'users.manage');
  const user = await findByEmail(deps, input.email);
  if (user.role === input.role) return toDto(user);
  if (user.id === actor.id) throw new AppError('BAD_REQUEST', 'you cannot change your own role; ask another administrator');
  return deps.db.$transaction(async (tx) => {
    await keepAnEnabledAdmin(tx, user);
    return toDto(await tx.user.update({ where: { id: user.id }, data: { role: input.role } }));
  });
}

/**
 * Refuses to demote or disable the last enabled administrator. Counted inside the caller's
 * transaction under a lock on the admins' rows, so two administrators removing each other at the
 * same moment cannot leave none (nor can the CLI, which acts as the system).
 */
async function keepAnEnabledAdmin(tx: Prisma.TransactionClient, user: { email: string; role: UserRole; disabledAt: Date | null }): Promise<void> {
  if (user.role !== 'admin' || user.disabledAt !== null) return;
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL FOR UPDATE`;
  if (admins.length <= 1) throw new AppError('CONFLICT', `${user.email} is the only enabled administrator; make someone else an administrator first`);
}
