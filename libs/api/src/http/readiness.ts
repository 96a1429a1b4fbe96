import type { ApiDeps } from '../api-deps';

export interface Readiness {
  ready: boolean;
  /**
   * objectStorage: present with a remote blob store (S3). Informational: while it is down, what
   * needs no stored bytes (sign-in, queues, saving masks) still works, so the API stays ready and
   * those requests that need bytes answer 503 themselves.
   */
  checks: { postgres: string; redis: string; objectStorage?: string };
}

const CHECK_TIMEOUT_MS = 2_000;

async function probe(work: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([work(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)))]);
    return 'ok';
  } catch (error) {
    return `unreachable: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Pings PostgreSQL and Redis (and object storage, reported only); used by /readyz and by process start-up. */
export async function checkReadiness(deps: ApiDeps): Promise<Readiness> {
  const blobs = deps.blobs;
  const [postgres, redis, objectStorage] = await Promise.all([
    probe(() => deps.db.$queryRawUnsafe('SELECT 1')),
    probe(() => (deps.redis.status === 'ready' ? deps.redis.ping() : Promise.reject(new Error(`connection ${deps.redis.status}`)))),
    blobs.ping ? probe(() => blobs.ping!()) : Promise.resolve(undefined),
  ]);
  return { ready: postgres === 'ok' && redis === 'ok', checks: { postgres, redis, ...(objectStorage === undefined ? {} : { objectStorage }) } };
}
