import { z } from 'zod';
import { userSchema } from './domain';

/** Shortest password an account may have (sign-up by an admin, the CLI, changing one's own). */
export const MIN_PASSWORD_LENGTH = 8;

/** An account as administrators see it: whether it may sign in, since when it exists, when it was last active. */
export const accountSchema = userSchema.extend({
  disabled: z.boolean(),
  createdAt: z.string(),
  /** when one of its sessions was last used; null when it has none on record */
  lastActiveAt: z.string().nullable(),
});
export type AccountDto = z.infer<typeof accountSchema>;
