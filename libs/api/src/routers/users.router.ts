import { z } from 'zod';
import { accountSchema, userRoleSchema, userSchema } from '@dataengine/contracts';
import { createUser, listAccountsFor, listUsers, MIN_PASSWORD_LENGTH, resetPassword, setUserDisabled, setUserRole } from '@dataengine/engine';
import { policyProcedure, protectedProcedure, router } from '../trpc';

export const usersRouter = router({
  list: policyProcedure('users.list').output(z.array(userSchema)).query(({ ctx }) => listUsers(ctx.deps, ctx.actor)),
  create: policyProcedure('users.manage')
    .input(z.object({ email: z.string().email(), name: z.string().trim().min(1).max(120), password: z.string().min(MIN_PASSWORD_LENGTH).max(1000), role: userRoleSchema }))
    .output(userSchema)
    .mutation(({ ctx, input }) => createUser(ctx.deps, ctx.actor, input)),
  /** Disabling ends every session of the user at once; sign-in is then refused with a message saying so. */
  setDisabled: policyProcedure('users.manage')
    .input(z.object({ email: z.string().min(1).max(320), disabled: z.boolean() }))
    .output(userSchema.extend({ disabled: z.boolean(), sessionsEnded: z.number().int() }))
    .mutation(({ ctx, input }) => setUserDisabled(ctx.deps, ctx.actor, input)),
  resetPassword: policyProcedure('users.manage')
    .input(z.object({ email: z.string().min(1).max(320), password: z.string().min(MIN_PASSWORD_LENGTH).max(1000) }))
    .output(userSchema.extend({ sessionsEnded: z.number().int() }))
    .mutation(async ({ ctx, input }) => {
      const done = await resetPassword(ctx.deps, ctx.actor, input);
      // a locked account opens with its new password (Redis away: the lock, if any, simply expires)
      await ctx.loginThrottle.clearAccount(done.email).catch((error: unknown) => ctx.deps.logger.warn('sign-in lock not cleared', { email: done.email, error }));
      return done;
    }),
  /** Every account, disabled ones included, with its last activity: the administrator's Users page. */
  accounts: policyProcedure('users.manage').output(z.array(accountSchema)).query(({ ctx }) => listAccountsFor(ctx.deps, ctx.actor)),
  setRole: policyProcedure('users.manage')
    .input(z.object({ email: z.string().min(1).max(320), role: userRoleSchema }))
    .output(userSchema)
    .mutation(({ ctx, input }) => setUserRole(ctx.deps, ctx.actor, input)),
});
