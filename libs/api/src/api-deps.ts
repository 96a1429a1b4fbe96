import type { Redis } from 'ioredis';
import type { EngineDeps } from '@dataengine/engine';
import type { RequestLimits } from './http/request-limits';

export interface ApiDeps extends EngineDeps {
  /** Producer connection, also pinged by /readyz. */
  redis: Redis;
  cookieSecure: boolean;
  /** BullMQ/Redis key prefix of this installation; also names its event channel. */
  queuePrefix: string;
  /** Bounds of /trpc requests (config TRPC_MAX_BODY_BYTES); default DEFAULT_REQUEST_LIMITS. */
  requestLimits?: Partial<RequestLimits>;
  /** Origins (besides the request's own) whose pages may send state-changing requests: config.allowedOrigins. Default none. */
  allowedOrigins?: readonly string[];
  /** Peers whose X-Forwarded-For/-Host are believed: config.trustedProxies. Default `loopback` (the web app on this host). */
  trustedProxies?: readonly string[];
}
