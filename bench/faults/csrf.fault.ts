// Cross-site request forgery in Chromium: a manager is signed in (session cookie of 127.0.0.1); a
// page on another port of the same host, and one on another site, submit forms and fire no-cors
// fetches at the upload, import and tRPC routes — through the web app's proxy and at the API's own
// port (cookies are not port-bound). Each row: the status the browser saw and what changed in the
// database. A same-origin upload from the product's own page is the control.
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import {
  createTestEnv,
  freePorts,
  loginCookie,
  makeProject,
  makeUser,
  REPO_ROOT,
  spawnService,
  stackEnvFor,
  syntheticImageBytes,
  waitFor,
  type ServiceProcess,
  type TestEnv,
} from '@dataengine/testing';
import { launchBrowser } from '../../apps/web/e2e/chromium';
import { addSessionCookie, cocoAsTextPlainForm, formPost, noCorsPost, plantedCoco, startAttackerSite, type AttackerSite } from '../../apps/web/e2e/cross-site-requests';
import type { FaultRow } from './fault-row';

export const title = 'cross-site request forgery from another port and another site (Chromium)';

const REFUSED = (s: number | null) => s === 403 || s === 415;

interface Target {
  label: string;
  origin: string;
}

export async function run(): Promise<FaultRow[]> {
  const env = await createTestEnv();
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const project = await makeProject(env.deps.db, { createdBy: manager });
  const [apiPort, webPort] = (await freePorts(2)) as [number, number];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;
  const services: ServiceProcess[] = [];
  let attacker: AttackerSite | undefined;
  let browser: Browser | undefined;
  const rows: FaultRow[] = [];
  try {
    services.push(spawnService('api', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/main.ts'], { ...stackEnvFor(env), API_HOST: '127.0.0.1', API_PORT: String(apiPort), LOG_LEVEL: 'warn' }));
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, 'the API to be ready', 60_000, 200);
    // the web app's proxy too, when a production build is there (`npx next build apps/web`)
    const targets: Target[] = [{ label: "the API's port", origin: apiUrl }];
    if (existsSync(path.join(REPO_ROOT, 'apps/web/.next/BUILD_ID'))) {
      services.push(spawnService('web', path.join(REPO_ROOT, 'node_modules/.bin/next'), ['start', 'apps/web', '-p', String(webPort), '-H', '127.0.0.1'], { API_INTERNAL_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }));
      await waitFor(async () => (await fetch(`${webUrl}/login`)).ok, 'the web app to serve /login', 90_000, 250);
      targets.unshift({ label: 'the web app (proxy)', origin: webUrl });
    } else {
      rows.push({ attack: 'attacks through the web app', expected: 'run against `next start`', result: 'skipped: no web build (run `npx next build apps/web`)', ok: true });
    }

    const cookie = await loginCookie(apiUrl, manager.email, manager.password);
    attacker = await startAttackerSite();
    browser = await launchBrowser();
    const context = await browser.newContext();
    await addSessionCookie(context, cookie);
    const page = await context.newPage();
    const png = Array.from(await syntheticImageBytes({ seed: 7, width: 64, height: 48, format: 'png' }));
    const coco = plantedCoco('planted.png', 64, 48);
    const counts = () => countsOf(env, project.id);
    const sameSite = attacker.pageUrl('127.0.0.1');

    const attempt = async (attack: string, from: string, act: (p: Page) => Promise<number | null>) => {
      await page.goto(from);
      const before = await counts();
      const status = await act(page);
      const after = await counts();
      const changed = describeChange(before, after);
      rows.push({ attack, expected: 'refused (403/415), nothing changes', result: `${status ?? 'no response'}; ${changed || 'nothing changed'}`, ok: REFUSED(status) && !changed });
    };

    for (const t of targets) {
      const importUrl = `${t.origin}/api/projects/${project.id}/import?format=coco`;
      const uploadUrl = `${t.origin}/api/projects/${project.id}/images?name=forged.png`;
      await attempt(`other port: no-cors fetch, text/plain COCO import → ${t.label}`, sameSite, (p) => noCorsPost(p, importUrl, { kind: 'text', text: JSON.stringify(coco) }));
      await attempt(`other port: text/plain form POST of a COCO import → ${t.label}`, sameSite, (p) => formPost(p, importUrl, 'text/plain', cocoAsTextPlainForm(coco)));
      await attempt(`other port: no-cors fetch of an image (Blob image/png) → upload on ${t.label}`, sameSite, (p) => noCorsPost(p, uploadUrl, { kind: 'blob', bytes: png, type: 'image/png' }));
      await attempt(`other port: no-cors fetch, multipart image upload → ${t.label}`, sameSite, (p) => noCorsPost(p, uploadUrl, { kind: 'form-data', field: 'file', fileName: 'forged.png', bytes: png, type: 'image/png' }));
      await attempt(`other port: no-cors fetch, text/plain tRPC projects.create → ${t.label}`, sameSite, (p) =>
        noCorsPost(p, `${t.origin}/trpc/projects.create`, { kind: 'text', text: JSON.stringify({ name: 'Forged project' }) }));

      // a top-level form POST from another site must not end the session
      await page.goto(attacker.pageUrl('localhost'));
      const logoutStatus = await formPost(page, `${t.origin}/trpc/auth.logout`, 'multipart/form-data', [['x', '1']]);
      const stored = (await context.cookies('http://127.0.0.1/')).find((c) => c.name === 'de_session');
      const me = await fetch(`${apiUrl}/trpc/auth.me`, { headers: { cookie } });
      const loggedIn = Boolean(stored?.value) && me.status === 200;
      rows.push({
        attack: `another site: top-level multipart form POST to auth.logout → ${t.label}`,
        expected: 'refused (403); the browser keeps its session cookie and the session stays valid',
        result: `${logoutStatus ?? 'no response'}; cookie ${stored?.value ? 'kept' : 'cleared'}; session ${me.status === 200 ? 'valid' : `invalid (${me.status})`}`,
        ok: REFUSED(logoutStatus) && loggedIn,
      });
      if (!stored?.value) await addSessionCookie(context, cookie);

      // a browser that sends Origin but no Sec-Fetch-Site (plain HTTP to a LAN host, older browsers):
      // the Origin's host must be the one addressed — through the proxy, its X-Forwarded-Host
      for (const [origin, want] of [[t.origin, 200], ['http://127.0.0.1:9', 403]] as const) {
        const res = await fetch(`${t.origin}/trpc/projects.create`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Origin check ${Math.random().toString(36).slice(2, 8)}` }) });
        rows.push({
          attack: `no Sec-Fetch-Site, Origin ${origin === t.origin ? 'of the app itself' : 'of another port'}: tRPC projects.create → ${t.label}`,
          expected: want === 200 ? 'accepted (200): the Origin names the host addressed' : 'refused (403)',
          result: String(res.status),
          ok: res.status === want,
        });
      }

      // controls: what must still work
      const before = await counts();
      let controlStatus: number;
      let control: string;
      if (t.origin === webUrl) {
        // the product's own page uploads (same origin, through the proxy)
        await page.goto(`${webUrl}/login`);
        control = 'a page of the web app uploads an image (same origin, application/octet-stream)';
        controlStatus = await page.evaluate(async ({ url, bytes }) => {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
          return res.status;
        }, { url: `${webUrl}/api/projects/${project.id}/images?name=own-web.png`, bytes: Array.from(await syntheticImageBytes({ seed: 8, width: 64, height: 48, format: 'png' })) });
      } else {
        // a program (CLI, script) with the cookie and no browser headers
        control = "a program (no Origin, no Sec-Fetch-Site) uploads an image to the API's port with the cookie";
        const res = await fetch(`${apiUrl}/api/projects/${project.id}/images?name=own-api.png`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/octet-stream' },
          body: (await syntheticImageBytes({ seed: 9, width: 64, height: 48, format: 'png' })) as unknown as BodyInit,
        });
        controlStatus = res.status;
      }
      const after = await counts();
      rows.push({
        attack: `control: ${control}`,
        expected: '201 and one image more',
        result: `${controlStatus}; ${describeChange(before, after) || 'nothing changed'}`,
        ok: controlStatus === 201 && after.images === before.images + 1,
      });
    }
  } finally {
    await browser?.close();
    await attacker?.close();
    for (const s of services.reverse()) await s.stop();
    await env.close();
  }
  return rows;
}

interface Counts {
  images: number;
  importRuns: number;
  masks: number;
  projects: number;
}

async function countsOf(env: TestEnv, projectId: string): Promise<Counts> {
  const db = env.deps.db;
  const [images, importRuns, masks, projects] = await Promise.all([
    db.image.count({ where: { projectId } }),
    db.run.count({ where: { projectId, kind: 'import' } }),
    db.mask.count({ where: { image: { projectId } } }),
    db.project.count(),
  ]);
  return { images, importRuns, masks, projects };
}

function describeChange(before: Counts, after: Counts): string {
  return (Object.keys(before) as (keyof Counts)[])
    .filter((k) => after[k] !== before[k])
    .map((k) => `${k} ${before[k]} → ${after[k]}`)
    .join(', ');
}
