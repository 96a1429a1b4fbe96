import type { Redis } from 'ioredis';
import type { EngineDeps } from '@dataengine/engine';

export interface ApiDeps extends EngineDeps {
  /** Producer connection, also pinged by /readyz. */
  redis: Redis;
  cookieSecure: boolean;
  /** BullMQ/Redis key prefix of this installation; also names its event channel. */
  queuePrefix: string;
}
