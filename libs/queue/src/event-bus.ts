// Engine events (a checkpoint was promoted, …) go out on one Redis pub/sub channel per
// installation; each API process holds one subscriber and fans events out to its browsers (SSE).
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const engineEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('checkpoint.activated'), checkpointId: z.string().uuid(), name: z.string(), projectId: z.string().uuid().nullable(), at: z.string() }),
]);
export type EngineEvent = z.infer<typeof engineEventSchema>;

export interface EventPublisher {
  publish(event: EngineEvent): Promise<void>;
}

export const eventChannel = (prefix: string) => `${prefix}:events`;

export function createEventPublisher(redis: Redis, prefix: string): EventPublisher {
  return {
    async publish(event) {
      await redis.publish(eventChannel(prefix), JSON.stringify(engineEventSchema.parse(event)));
    },
  };
}

export interface EventSubscription {
  /** Adds a listener; returns its removal. */
  listen(listener: (event: EngineEvent) => void): () => void;
  close(): Promise<void>;
}

/** One dedicated subscriber connection (a subscribed Redis connection can do nothing else). */
export async function subscribeToEvents(subscriber: Redis, prefix: string): Promise<EventSubscription> {
  const listeners = new Set<(event: EngineEvent) => void>();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== eventChannel(prefix)) return;
    const parsed = engineEventSchema.safeParse(JSON.parse(message));
    if (parsed.success) for (const listener of listeners) listener(parsed.data);
  });
  await subscriber.subscribe(eventChannel(prefix));
  return {
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
