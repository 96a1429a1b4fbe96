import { z } from 'zod';
import { userSchema } from '@dataengine/contracts';
import { changePassword, login, logout, MIN_PASSWORD_LENGTH } from '@dataengine/engine';
import { protectedProcedure, publicProcedure, router } from '../trpc';
import { clearedSessionCookie, sessionCookie } from '../http/cookies';

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) }))
    .output(z.object({ user: userSchema, expiresAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const result = await login({ ...ctx.deps, loginThrottle: ctx.loginThrottle }, { ...input, userAgent: ctx.userAgent, clientAddress: ctx.clientAddress });
      ctx.setCookie(sessionCookie(result.token, result.expiresAt, ctx.deps.cookieSecure));
      return { user: result.user, expiresAt: result.expiresAt.toISOString() };
    }),
  logout: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await logout(ctx.deps, ctx.sessionToken);
    ctx.setCookie(clearedSessionCookie(ctx.deps.cookieSecure));
    return { ok: true as const };
  }),
  /** The signed-in user's own password; their other sessions end, this one stays. */
  changePassword: protectedProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(1000), newPassword: z.string().min(MIN_PASSWORD_LENGTH).max(1000) }))
    .output(z.object({ otherSessionsEnded: z.number().int() }))
    .mutation(({ ctx, input }) =>
      changePassword({ ...ctx.deps, loginThrottle: ctx.loginThrottle }, ctx.actor, { ...input, sessionToken: ctx.sessionToken, clientAddress: ctx.clientAddress }),
    ),
  me: protectedProcedure.output(userSchema).query(({ ctx }) => ({
    id: ctx.actor.id,
    email: ctx.actor.email,
    name: ctx.actor.name,
    role: ctx.actor.role,
  })),
});
