import type { UserRole } from '@dataengine/contracts';

/** The authenticated caller of a use case. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: UserRole;
}

/** A job, a CLI command or the seed: acts with the engine's own authority. */
export const SYSTEM_ACTOR: Actor = { id: '00000000-0000-0000-0000-000000000000', email: 'system@localhost', name: 'system', role: 'admin' };
