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
  const schema = options.schema && options.schema !== 'public' ? options.schema : undefined;
  const adapter = new PrismaPg(
    {
      connectionString: options.connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: 3_000,
      // raw SQL (e.g. the task queue's SKIP LOCKED lease) resolves tables in the same schema
      ...(schema ? { options: `-c search_path="${schema}"` } : {}),
    },
    schema ? { schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
