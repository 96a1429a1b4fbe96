export { appRouter } from './router';
export type { AppRouter } from './router';
export { createApiServer } from './http/api-server';
export { checkReadiness } from './http/readiness';
export type { ApiDeps } from './api-deps';
export { createCallerFactory } from './trpc';
