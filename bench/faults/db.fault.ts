// The database goes away under a 30-annotator save load (API and worker as real processes):
// pg_terminate_backend of every connection, again and again, then PostgreSQL unreachable for 3 s.
import { runDatabaseOutageDrill } from '@dataengine/testing';
import type { FaultRow } from './fault-row';

export const title = 'PostgreSQL connections terminated and the server restarted under 30 annotators saving masks';

const ms = (v: number | null) => (v === null ? 'never' : `${Math.round(v)} ms`);

export async function run(): Promise<FaultRow[]> {
  const d = await runDatabaseOutageDrill({ annotators: 30, steadyMs: 3_000, downMs: 3_000 });
  const count = (statuses: Record<string, number>, status: string) => statuses[status] ?? 0;
  const others = Object.entries(d.statuses).filter(([s]) => s !== '200' && s !== '503');
  const alive = d.apiAlive && d.workerAlive && d.crashLines.length === 0 && d.aborted === null;
  return [
    {
      attack: `pg_terminate_backend of every API and worker connection, 15 times in 1.5 s, under ${d.annotators} annotators saving`,
      expected: 'both processes stay up; 503 with Retry-After (never 500); 200 again within 5 s',
      result:
        `api ${d.apiAlive ? 'alive' : 'DEAD'}, worker ${d.workerAlive ? 'alive' : 'DEAD'}; terminated ${d.terminate.terminated.api} API / ${d.terminate.terminated.worker} worker backends; ` +
        `answers 200×${count(d.terminate.statuses, '200')}, 503×${count(d.terminate.statuses, '503')}, 500×${count(d.terminate.statuses, '500')}; back to 200 in ${ms(d.terminate.backTo200Ms)}` +
        (d.aborted ? `; drill stopped: ${d.aborted}` : ''),
      ok: alive && count(d.terminate.statuses, '500') === 0 && d.terminate.backTo200Ms !== null && d.terminate.backTo200Ms < 5_000,
    },
    {
      attack: 'PostgreSQL restart: backends terminated, then unreachable for 3 s (sockets reset, connections refused)',
      expected: '503 with Retry-After while it is away, 200 within 5 s of its return, the worker ingests again',
      result:
        `answers 200×${count(d.restart.statuses, '200')}, 503×${count(d.restart.statuses, '503')}, 500×${count(d.restart.statuses, '500')}; ` +
        `503 without Retry-After: ${d.unavailableWithoutRetryAfter}; back to 200 in ${ms(d.restart.backTo200Ms)}; ingest after the outage: ${d.ingestAfterOutage ? 'yes' : 'NO'}`,
      ok: alive && count(d.restart.statuses, '500') === 0 && d.unavailableWithoutRetryAfter === 0 && d.restart.backTo200Ms !== null && d.restart.backTo200Ms < 5_000 && d.ingestAfterOutage,
    },
    {
      attack: `${d.annotators} annotators saving masks through both faults`,
      expected: 'every acknowledged (2xx) save is in the database; no dropped connections; no 5xx other than 503',
      result:
        `${d.steadySavesPerSecond.toFixed(0)} saves/s steady; ${d.acknowledged} acknowledged, ${d.acknowledgedStored} of them stored (${d.storedTotal} rows); ` +
        `503×${count(d.statuses, '503')}, other errors ${others.length ? others.map(([s, n]) => `${s}×${n}`).join(', ') : 'none'}; dropped connections ${d.networkErrors.length}; ` +
        `connections named ${d.applicationNames.join(', ') || '(none)'}`,
      ok: alive && d.acknowledged > 0 && d.acknowledgedStored === d.acknowledged && others.length === 0 && d.networkErrors.length === 0,
    },
  ];
}
