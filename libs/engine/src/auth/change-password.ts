import { AppError } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { MIN_PASSWORD_LENGTH } from '../users/create-user';
import type { LoginThrottle } from './login-throttle';
import { checkSignInPassword, hashPassword } from './password';
import { hashToken } from './sessions';

/**
 * A signed-in user changes their own password. The current one is checked under the sign-in
 * limits (a borrowed session must not become a way to guess it); every other session of the user
 * ends, the one in use stays.
 */
export async function changePassword(
  deps: EngineDeps & { loginThrottle: LoginThrottle },
  actor: Actor,
  input: { currentPassword: string; newPassword: string; sessionToken: string | null; clientAddress?: string | null },
): Promise<{ otherSessionsEnded: number }> {
  if (input.newPassword.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('BAD_REQUEST', `the new password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (input.newPassword === input.currentPassword) throw new AppError('BAD_REQUEST', 'the new password is the current one; choose a different one');
  const user = await deps.db.user.findUnique({ where: { id: actor.id } });
  if (!user) throw new AppError('UNAUTHENTICATED', 'your account no longer exists');
  const attempt = await deps.loginThrottle.begin({ email: user.email, address: input.clientAddress ?? null });
  const ok = await checkSignInPassword(input.currentPassword, user.passwordHash).catch(async (error: unknown) => {
    await attempt.withdrawn();
    throw error;
  });
  if (!ok) throw new AppError('BAD_REQUEST', 'the current password is wrong; nothing was changed');
  await attempt.succeeded();
  const passwordHash = await hashPassword(input.newPassword);
  const keep = input.sessionToken ? hashToken(input.sessionToken) : null;
  const [, ended] = await deps.db.$transaction([
    deps.db.user.update({ where: { id: user.id }, data: { passwordHash } }),
    deps.db.session.deleteMany({ where: { userId: user.id, ...(keep ? { id: { not: keep } } : {}) } }),
  ]);
  return { otherSessionsEnded: ended.count };
}
