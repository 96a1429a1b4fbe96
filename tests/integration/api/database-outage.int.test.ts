// PostgreSQL going away under a 30-annotator save load: the API and worker processes stay up,
// saves answer 503 with Retry-After while it is gone (never 500), the API answers 200 again within
// 5 s of the database returning, and every save that was acknowledged is in the database.
import { describe, expect, it } from 'vitest';
import { runDatabaseOutageDrill, type DatabaseOutageDrillResult } from '@dataengine/testing';

describe('a database outage under load', () => {
  let drill: DatabaseOutageDrillResult;

  it('survives pg_terminate_backend of every connection and a PostgreSQL restart', async () => {
    drill = await runDatabaseOutageDrill({ annotators: 30, steadyMs: 2_500, downMs: 2_500 });
    const context = JSON.stringify({ ...drill, apiLogTail: undefined, networkErrors: drill.networkErrors.slice(0, 5) }, null, 1);

    expect(drill.crashLines, context).toEqual([]);
    expect(drill.aborted, context).toBeNull();
    expect(drill.apiAlive, `${context}\n${drill.apiLogTail}`).toBe(true);
    expect(drill.workerAlive, context).toBe(true);
    expect(drill.ingestAfterOutage, context).toBe(true);
    // the faults hit both processes' connections
    expect(drill.terminate.terminated.api, context).toBeGreaterThan(0);
    expect(drill.terminate.terminated.worker, context).toBeGreaterThan(0);
    // answers are 200 or 503 (with Retry-After), never a 500 or a dropped connection
    expect(Object.keys(drill.statuses).sort(), context).toEqual(expect.arrayContaining(['200']));
    for (const status of Object.keys(drill.statuses)) expect(['200', '503'], context).toContain(status);
    expect(drill.restart.statuses['503'] ?? 0, context).toBeGreaterThan(0);
    expect(drill.unavailableWithoutRetryAfter, context).toBe(0);
    expect(drill.networkErrors, context).toEqual([]);
    // back to 200 within 5 s of each fault
    expect(drill.terminate.backTo200Ms, context).not.toBeNull();
    expect(drill.terminate.backTo200Ms!, context).toBeLessThan(5_000);
    expect(drill.restart.backTo200Ms, context).not.toBeNull();
    expect(drill.restart.backTo200Ms!, context).toBeLessThan(5_000);
    // no acknowledged mask lost
    expect(drill.acknowledged, context).toBeGreaterThan(0);
    expect(drill.acknowledgedStored, context).toBe(drill.acknowledged);
    expect(drill.storedTotal, context).toBeGreaterThanOrEqual(drill.acknowledged);
  }, 180_000);

  it('names its connections for ops (pg_stat_activity.application_name)', () => {
    expect(drill.applicationNames.some((n) => n.startsWith('dataengine-api'))).toBe(true);
    expect(drill.applicationNames.some((n) => n.startsWith('dataengine-worker'))).toBe(true);
  });
});
