import { z } from 'zod';
import { SESSION_COOKIE, userSchema } from '@dataengine/contracts';
import { login, logout } from '@dataengine/engine';
import { protectedProcedure, publicProcedure, router } from '../trpc';
import { sessionCookie } from '../http/cookies';

export const authRouter = router({
  login: publicProcedure
    .input(z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) }))
    .output(z.object({ user: userSchema, expiresAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const result = await login(ctx.deps, { ...input, userAgent: ctx.userAgent });
      ctx.setCookie(sessionCookie(result.token, result.expiresAt, ctx.deps.cookieSecure));
      return { user: result.user, expiresAt: result.expiresAt.toISOString() };
    }),
  logout: publicProcedure.output(z.object({ ok: z.literal(true) })).mutation(async ({ ctx }) => {
    await logout(ctx.deps, ctx.sessionToken);
    ctx.setCookie(`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
    return { ok: true as const };
  }),
  me: protectedProcedure.output(userSchema).query(({ ctx }) => ({
    id: ctx.actor.id,
    email: ctx.actor.email,
    name: ctx.actor.name,
    role: ctx.actor.role,
  })),
});
