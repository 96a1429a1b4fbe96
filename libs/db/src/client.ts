import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export interface DbOptions {
  connectionString: string;
  schema?: string;
  /** Pool size per process. */
  max?: number;
}

export type Db = PrismaClient;

/** One Prisma client per process (or per test schema); it owns a pg pool through the driver adapter. */
export function createDb(options: DbOptions): Db {
  const adapter = new PrismaPg(
    { connectionString: options.connectionString, max: options.max ?? 10, connectionTimeoutMillis: 3_000 },
    options.schema && options.schema !== 'public' ? { schema: options.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
