// A dense COCO import against the real processes: a manager uploads 100,000 annotations on one
// image (15.5 MB) while the worker runs as its own process. Measures how long the import takes,
// the worker's peak memory (VmHWM), how long an image uploaded meanwhile waits for its ingest, and
// how soon a cancel stops a second import of the same file. Returns what was measured; the
// integration test asserts on it and bench/faults/import.fault.ts prints it.
import { readFile } from 'node:fs/promises';
import { manyAnnotationCoco } from './coco-fixtures';
import { addSyntheticImages, makeProject, makeUser } from './factories';
import { loginCookie, trpcMutation, uploadBytes } from './http-client';
import { spawnService, stackEnvFor, type ServiceProcess } from './stack';
import { createTestEnv, startTestApi, type TestEnv } from './test-env';
import { syntheticImageBytes } from './test-images';
import { waitFor } from './wait-for';

export interface ImportDrillOptions {
  annotations?: number;
  /** The second import is cancelled once this many annotations are in. */
  cancelAfterImported?: number;
  /** Extra environment for the worker process. */
  workerEnv?: Record<string, string>;
  /** How long the first import may take (default 10 minutes). */
  importTimeoutMs?: number;
}

export interface ImportDrillResult {
  annotations: number;
  fileBytes: number;
  import: {
    status: string;
    error: string | null;
    imported: number;
    failed: number;
    masksStored: number;
    seconds: number;
    batches: number;
    slowestBatchMs: number;
  };
  worker: { baselineRssMb: number; peakRssMb: number; alive: boolean };
  /** An image uploaded while the import ran: from upload to ready. */
  ingestDuringImport: { ms: number | null; importRunningThroughout: boolean };
  cancel: {
    /** From runs.cancel to the run's status `cancelled`. */
    ms: number | null;
    status: string;
    importedAtCancel: number;
    /** what the run says it imported, and what the database holds */
    reportedImported: number;
    masksStored: number;
    error: string | null;
  };
}

const W = 1024;
const H = 768;
const FILE_NAME = 'dense.png';

/** VmRSS and VmHWM (peak) of a process, in MB. */
async function memoryOf(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export async function runImportDrill(options: ImportDrillOptions = {}): Promise<ImportDrillResult> {
  const annotations = options.annotations ?? 100_000;
  const env: TestEnv = await createTestEnv();
  const api = await startTestApi(env.deps);
  let worker: ServiceProcess | null = null;
  try {
    const manager = await makeUser(env.deps.db, { role: 'manager' });
    const cookie = await loginCookie(api.url, manager.email, manager.password);
    const projects: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { id } = await makeProject(env.deps.db, { createdBy: manager });
      await addSyntheticImages(env.deps, manager, { projectId: id, seeds: [90 + i], width: W, height: H, fileName: () => FILE_NAME });
      projects.push(id);
    }
    const file = manyAnnotationCoco({ annotations, fileName: FILE_NAME, width: W, height: H });

    worker = spawnService('worker', process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { ...stackEnvFor(env), ...options.workerEnv });
    await waitFor(() => worker!.output().includes('"worker started"'), 'the worker process to start', 60_000, 100);
    const pid = worker.child.pid!;
    const baseline = await memoryOf(pid);

    const startImport = async (projectId: string): Promise<string> => {
      const res = await fetch(`${api.url}/api/projects/${projectId}/import?format=coco`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: file as unknown as BodyInit });
      const body = (await res.json()) as { id?: string; error?: { message: string } };
      if (res.status !== 202 || !body.id) throw new Error(`the import was refused: ${res.status} ${body.error?.message}`);
      return body.id;
    };
    const runRow = (id: string) => env.deps.db.run.findUniqueOrThrow({ where: { id } });
    const importedOf = (row: { progress: unknown }) => Number((row.progress as { imported?: number } | null)?.imported ?? 0);
    const finished = (id: string, timeoutMs: number) =>
      waitFor(async () => {
        const row = await runRow(id);
        return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : null;
      }, `run ${id} to finish`, timeoutMs, 200);

    // 1. the import, with an image uploaded while it runs
    const t0 = performance.now();
    const runId = await startImport(projects[0]!);
    // the upload comes once the import is under way (its first masks are in, or it has run for 2 s)
    await waitFor(async () => {
      const row = await runRow(runId);
      return importedOf(row) > 0 || (row.startedAt !== null && Date.now() - row.startedAt.getTime() > 2_000);
    }, 'the import to get going', 300_000, 50);
    const uploadedAt = performance.now();
    const upload = await uploadBytes(api.url, projects[0]!, await syntheticImageBytes({ seed: 99, width: 320, height: 240 }), cookie, 'meanwhile.jpg');
    if (upload.status !== 201) throw new Error(`the upload during the import was refused: ${upload.status}`);
    let ingestMs: number | null = null;
    try {
      await waitFor(async () => (await env.deps.db.image.findUniqueOrThrow({ where: { id: upload.body.image.id } })).status === 'ready', 'the upload to be ingested', 60_000, 50);
      ingestMs = performance.now() - uploadedAt;
    } catch {
      ingestMs = null;
    }
    const runningThroughout = (await runRow(runId)).status === 'running';
    const done = await finished(runId, options.importTimeoutMs ?? 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const peak = await memoryOf(pid);
    const result = (done.result ?? {}) as { annotations?: { imported?: number; failed?: number }; batches?: { count?: number; slowestMs?: number } };

    // 2. the same file into the second project, cancelled part-way
    const cancelAfter = options.cancelAfterImported ?? Math.min(20_000, Math.floor(annotations / 4));
    const cancelRunId = await startImport(projects[1]!);
    const importedAtCancel = importedOf(
      await waitFor(async () => {
        const row = await runRow(cancelRunId);
        const longEnough = row.startedAt !== null && Date.now() - row.startedAt.getTime() > 3_000;
        return importedOf(row) >= cancelAfter || longEnough || (row.status !== 'running' && row.status !== 'queued') ? row : null;
      }, 'the second import to get going', 300_000, 50),
    );
    const cancelledAt = performance.now();
    const cancel = await trpcMutation(api.url, 'runs.cancel', { runId: cancelRunId, reason: 'drill' }, cookie);
    if (cancel.status !== 200) throw new Error(`runs.cancel refused: ${cancel.status} ${cancel.error?.message}`);
    const stopped = await finished(cancelRunId, 120_000);
    const cancelMs = performance.now() - cancelledAt;
    const cancelResult = (stopped.result ?? {}) as { annotations?: { imported?: number } };

    return {
      annotations,
      fileBytes: file.length,
      import: {
        status: done.status,
        error: done.error,
        imported: result.annotations?.imported ?? 0,
        failed: result.annotations?.failed ?? 0,
        masksStored: await env.deps.db.mask.count({ where: { projectId: projects[0]! } }),
        seconds,
        batches: result.batches?.count ?? 0,
        slowestBatchMs: result.batches?.slowestMs ?? 0,
      },
      worker: { baselineRssMb: baseline.rssMb, peakRssMb: peak.peakMb, alive: worker.child.exitCode === null && worker.child.signalCode === null },
      ingestDuringImport: { ms: ingestMs, importRunningThroughout: runningThroughout },
      cancel: {
        ms: stopped.status === 'cancelled' ? cancelMs : null,
        status: stopped.status,
        importedAtCancel,
        reportedImported: cancelResult.annotations?.imported ?? -1,
        masksStored: await env.deps.db.mask.count({ where: { projectId: projects[1]! } }),
        error: stopped.error,
      },
    };
  } finally {
    await worker?.stop();
    await api.close();
    await env.close();
  }
}
