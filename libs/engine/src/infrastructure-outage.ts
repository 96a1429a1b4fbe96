// One answer, for every job, to "did this fail because the infrastructure is away?" — PostgreSQL,
// Redis or object storage unreachable, refusing or timing out — as opposed to the job's input or
// model being wrong. The worker runtime retries such failures by OUTAGE_RETRY (job-catalog.ts).
import { isDatabaseUnavailableError } from '@dataengine/db';
import { isRedisUnavailableError } from '@dataengine/queue';
import { isBlobStoreUnavailableError } from '@dataengine/storage';

export function isInfrastructureOutage(error: unknown): boolean {
  return isDatabaseUnavailableError(error) || isRedisUnavailableError(error) || isBlobStoreUnavailableError(error);
}
