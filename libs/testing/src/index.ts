export { createTestEnv, startTestApi } from './test-env';
export type { TestEnv } from './test-env';
export { ensureDatabase, dropSchema, dropStaleTestSchemas, TEST_DATABASE_URL, TEST_REDIS_URL } from './test-database';
export { makeUser, makeProject } from './factories';
export type { MadeUser } from './factories';
export { loginCookie, trpcQuery, trpcMutation, uploadBytes } from './http-client';
export type { TrpcResult } from './http-client';
export { waitFor } from './wait-for';
export { syntheticImageBytes, flatImageBytes } from './test-images';
