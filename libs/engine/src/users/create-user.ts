import { AppError, MIN_PASSWORD_LENGTH, type UserDto, type UserRole } from '@dataengine/contracts';
import { Prisma } from '@dataengine/db';
import type { EngineDeps } from '../engine-deps';
import type { Actor } from '../access/actor';
import { requireGlobal } from '../access/project-access';
import { hashPassword } from '../auth/password';

export { MIN_PASSWORD_LENGTH };

export async function createUser(
  deps: EngineDeps,
  actor: Actor,
  input: { email: string; name: string; password: string; role: UserRole },
): Promise<UserDto> {
  requireGlobal(actor, 'users.manage');
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('BAD_REQUEST', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const email = input.email.trim().toLowerCase();
  try {
    const user = await deps.db.user.create({
      data: { email, name: input.name.trim(), role: input.role, passwordHash: await hashPassword(input.password) },
    });
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('CONFLICT', `a user with e-mail ${email} already exists`);
    }
    throw error;
  }
}

export async function listUsers(deps: EngineDeps, actor: Actor): Promise<UserDto[]> {
  requireGlobal(actor, 'users.list');
  const users = await deps.db.user.findMany({ where: { disabledAt: null }, orderBy: { email: 'asc' }, take: 1000 });
  return users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role }));
}
