import { initTRPC, TRPCError } from '@trpc/server';
import { AppError, type ErrorCode, type GlobalAction } from '@dataengine/contracts';
import { authenticateSession, requireGlobal, type Actor, type LoginThrottle } from '@dataengine/engine';
import type { ApiDeps } from './api-deps';
import { toAppError, toTRPCError } from './errors';

export interface ApiContext {
  deps: ApiDeps;
  sessionToken: string | null;
  userAgent: string | null;
  /** The client's address (behind trusted proxies: what they forwarded); the sign-in limits key on it. */
  clientAddress: string | null;
  loginThrottle: LoginThrottle;
  setCookie: (cookie: string) => void;
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const appCode: ErrorCode | null = error.cause instanceof AppError ? error.cause.code : null;
    // tRPC's own body limit (a body without Content-Length) says only its code
    const message = error.code === 'PAYLOAD_TOO_LARGE' && appCode === null ? 'the request body is larger than the API accepts (TRPC_MAX_BODY_BYTES); send less in one request' : shape.message;
    return { ...shape, message, data: { ...shape.data, appCode, stack: undefined } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure maps thrown errors once: AppError codes, 503 for unreachable services, logged 500s. */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause ?? result.error;
    if (result.error.code !== 'INTERNAL_SERVER_ERROR' && !(cause instanceof AppError)) throw result.error; // input validation etc.
    throw toTRPCError(toAppError(cause, ctx.deps.logger, { path }));
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const actor: Actor = await authenticateSession(ctx.deps, ctx.sessionToken);
  return next({ ctx: { ...ctx, actor } });
});

/**
 * Procedures for one installation-wide action of the access policy (@dataengine/contracts
 * policy.ts), refused before the input is read; the use cases check again (defence in depth).
 */
export const policyProcedure = (action: GlobalAction) =>
  protectedProcedure.use(({ ctx, next }) => {
    requireGlobal(ctx.actor, action);
    return next();
  });

export { TRPCError };
