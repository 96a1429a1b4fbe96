import { createHash, randomBytes } from 'node:crypto';
import { AppError, type UserDto } from '@dataengine/contracts';
import { nowOf, type EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import type { LoginThrottle } from './login-throttle';
import { assertSignInCapacity, checkSignInPassword } from './password';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** lastSeenAt is refreshed at most this often, so authenticated reads do not all write. */
const TOUCH_INTERVAL_MS = 5 * 60_000;

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: UserDto;
}

export const DISABLED_ACCOUNT_MESSAGE = 'this account is disabled; ask an administrator to enable it';

/**
 * Signs in: throttled per account and address (login-throttle.ts), the password checked with a
 * bounded number of hashes at a time. A disabled account is named as such only to someone who
 * knows its password.
 */
export async function login(
  deps: EngineDeps & { loginThrottle: LoginThrottle },
  input: { email: string; password: string; userAgent?: string | null; clientAddress?: string | null },
): Promise<LoginResult> {
  assertSignInCapacity();
  const email = input.email.trim().toLowerCase();
  const attempt = await deps.loginThrottle.begin({ email, address: input.clientAddress ?? null });
  const user = await deps.db.user.findUnique({ where: { email } });
  const ok = await checkSignInPassword(input.password, user?.passwordHash).catch(async (error: unknown) => {
    await attempt.withdrawn();
    throw error;
  });
  if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'wrong e-mail or password');
  await attempt.succeeded();
  if (user.disabledAt) throw new AppError('UNAUTHENTICATED', DISABLED_ACCOUNT_MESSAGE);
  const session = await createSession(deps, user.id, input.userAgent);
  return { ...session, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

/** Resolves a session cookie to its user; expired sessions are deleted and reported as such. */
export async function authenticateSession(deps: EngineDeps, token: string | undefined | null): Promise<Actor> {
  if (!token) throw new AppError('UNAUTHENTICATED', 'you are not logged in');
  const id = hashToken(token);
  const session = await deps.db.session.findUnique({ where: { id }, include: { user: true } });
  if (!session) throw new AppError('UNAUTHENTICATED', 'your session is not valid (logged out or revoked); log in again');
  const now = nowOf(deps);
  if (session.expiresAt <= now) {
    await deps.db.session.deleteMany({ where: { id } });
    throw new AppError('UNAUTHENTICATED', 'your session expired; log in again');
  }
  if (session.user.disabledAt) throw new AppError('UNAUTHENTICATED', DISABLED_ACCOUNT_MESSAGE);
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await deps.db.session.update({ where: { id }, data: { lastSeenAt: now } });
  }
  const { user } = session;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export async function logout(deps: EngineDeps, token: string | undefined | null): Promise<void> {
  if (token) await deps.db.session.deleteMany({ where: { id: hashToken(token) } });
}

/** Housekeeping: removes expired sessions (called periodically by the worker). */
export async function purgeExpiredSessions(deps: EngineDeps): Promise<number> {
  const { count } = await deps.db.session.deleteMany({ where: { expiresAt: { lte: nowOf(deps) } } });
  return count;
}

/** A new session of the user: the opaque token for the cookie (only its hash is stored). */
async function createSession(deps: EngineDeps, userId: string, userAgent: string | null | undefined): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = nowOf(deps);
  const expiresAt = new Date(now.getTime() + deps.settings.SESSION_TTL_SECONDS * 1000);
  await deps.db.session.create({
    data: { id: hashToken(token), userId, createdAt: now, lastSeenAt: now, expiresAt, userAgent: userAgent?.slice(0, 300) ?? null },
  });
  return { token, expiresAt };
}
