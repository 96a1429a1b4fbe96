// GET /api/events — server-sent events for open tools (e.g. "checkpoint.activated": switch models
// without a reload). One Redis subscriber per API process, shared by every connected browser.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateSession } from '@dataengine/engine';
import { subscribeToEvents, type EventSubscription } from '@dataengine/queue';
import type { ApiDeps } from '../api-deps';
import { readSessionToken } from './cookies';

const HEARTBEAT_MS = 25_000;

export function createEventsRoute(deps: ApiDeps, prefix: string) {
  let subscription: Promise<EventSubscription> | undefined;
  const shared = () => {
    subscription ??= subscribeToEvents(deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }), prefix).catch((error: unknown) => {
      subscription = undefined;
      throw error;
    });
    return subscription;
  };

  return {
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      await authenticateSession(deps, readSessionToken(req));
      const events = await shared();
      // no-transform: a compressing proxy (the web server's gzip) would hold events back until it flushes
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(': connected\n\n');
      const stop = events.listen((event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
      await new Promise<void>((resolve) => req.on('close', resolve));
      clearInterval(heartbeat);
      stop();
    },
    async close(): Promise<void> {
      if (subscription) await (await subscription.catch(() => null))?.close();
    },
  };
}
