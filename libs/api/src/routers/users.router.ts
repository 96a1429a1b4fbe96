import { z } from 'zod';
import { userRoleSchema, userSchema } from '@dataengine/contracts';
import { createUser, listUsers, MIN_PASSWORD_LENGTH } from '@dataengine/engine';
import { policyProcedure, protectedProcedure, router } from '../trpc';

export const usersRouter = router({
  list: policyProcedure('users.list').output(z.array(userSchema)).query(({ ctx }) => listUsers(ctx.deps, ctx.actor)),
  create: policyProcedure('users.manage')
    .input(z.object({ email: z.string().email(), name: z.string().trim().min(1).max(120), password: z.string().min(MIN_PASSWORD_LENGTH).max(1000), role: userRoleSchema }))
    .output(userSchema)
    .mutation(({ ctx, input }) => createUser(ctx.deps, ctx.actor, input)),
});
