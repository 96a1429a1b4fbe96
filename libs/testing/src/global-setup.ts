// vitest globalSetup for integration and browser tests: the test database exists and holds no
// schemas from earlier runs. PostgreSQL and Redis must be running (scripts/test.mjs starts them).
import { dropStaleTestSchemas, ensureDatabase, TEST_DATABASE_URL } from './test-database';

export default async function setup(): Promise<void> {
  await ensureDatabase(TEST_DATABASE_URL);
  await dropStaleTestSchemas(TEST_DATABASE_URL);
}
