// vitest globalSetup of the `browser` project: builds the web app (when stale), creates an
// isolated installation, seeds the demo, starts the real api, worker and web processes on free
// ports, waits for the demo's ingest runs, and provides the web URL and users to the tests.
import type { TestProject } from 'vitest/node';
import { freePorts, startStack, type Stack } from '@dataengine/testing';
import { createE2eInstallation, type E2eInstallation } from './e2e-installation';
import type { E2eUser } from './provided-context';
import { ensureFreshWebBuild } from './web-build';

const SEED_INGEST_TIMEOUT_MS = 60_000;


export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const state: { installation?: E2eInstallation; stack?: Stack } = {};
  const teardown = async () => {
    await state.stack?.stop();
    await state.installation?.destroy();
  };
  // where the set-up time goes, cumulative, for slow CI runs
  const t0 = Date.now();
  const phases: string[] = [];
  const mark = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  try {
    // the build (CPU-bound) overlaps the database work and the seeding
    const prepare = async () => {
      state.installation = await createE2eInstallation();
      return state.installation.seed();
    };
    const [built, prepared] = await Promise.allSettled([ensureFreshWebBuild(), prepare()]);
    if (built.status === 'rejected') throw built.reason;
    if (prepared.status === 'rejected') throw prepared.reason;
    const installation = state.installation;
    if (!installation) throw new Error('the installation was seeded but not kept');
    mark('build and seed');
    const [apiPort, webPort] = (await freePorts(2)) as [number, number];
    state.stack = await startStack({ env: installation.env, apiPort, webPort });
    mark('stack up');
    await installation.waitForRuns(prepared.value.ingestRunIds, SEED_INGEST_TIMEOUT_MS);
    mark('demo ingested');
    process.stdout.write(`[e2e] ${phases.join(' · ')}\n`);
    project.provide('e2eWebUrl', state.stack.webUrl);
    project.provide('e2eUsers', prepared.value.users.map((u): E2eUser => ({ email: u.email, name: u.name, role: u.role })));
    project.provide('e2ePassword', prepared.value.password);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
