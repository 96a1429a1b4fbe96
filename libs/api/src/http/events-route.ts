// GET /api/events — server-sent events for open tools (e.g. "checkpoint.activated": switch models
// without a reload). One Redis subscriber per API process, shared by every connected browser. Each
// browser gets the events of the projects its user may see (the access policy's project.view, asked
// per event, so a membership change applies at once) and the installation-wide ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticateSession, mayViewProject, type Actor } from '@dataengine/engine';
import { subscribeToEvents, type EngineEvent, type EventSubscription } from '@dataengine/queue';
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
      const actor = await authenticateSession(deps, readSessionToken(req));
      const events = await shared();
      // no-transform: a compressing proxy (the web server's gzip) would hold events back until it flushes
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(': connected\n\n');
      // one event at a time, in order: each waits for its access check
      let sending = Promise.resolve();
      const stop = events.listen((event) => {
        sending = sending
          .then(async () => {
            if (await mayReceive(deps, actor, event)) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          })
          .catch((error: unknown) => deps.logger.warn('could not check who may receive an engine event; it was not sent to this browser', { type: event.type, error }));
      });
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

/** A project's events reach those who may see the project; installation-wide ones everyone. */
async function mayReceive(deps: ApiDeps, actor: Actor, event: EngineEvent): Promise<boolean> {
  return event.projectId === null || (await mayViewProject(deps.db, actor, event.projectId));
}
