// Password guessing and scrypt starvation against a real API process: 200 wrong passwords on one
// account (when does 429 start, does the right password then work), and 40 concurrent wrong logins
// fired together with a real user's login (how long does the real user wait).
import path from 'node:path';
import { createTestEnv, freePorts, makeProject, makeUser, REPO_ROOT, spawnService, stackEnvFor, syntheticImageBytes, uploadBytes, waitFor, type MadeUser, type TestEnv } from '@dataengine/testing';
import type { FaultRow } from './fault-row';

export const title = 'login throttling and password-hash starvation (API process)';

interface Attempt {
  status: number;
  ms: number;
  retryAfter: number | null;
  message: string;
}

async function attemptLogin(apiUrl: string, email: string, password: string, address?: string): Promise<Attempt> {
  const t0 = performance.now();
  const res = await fetch(`${apiUrl}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}) },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  const retry = res.headers.get('retry-after');
  return { status: res.status, ms: performance.now() - t0, retryAfter: retry === null ? null : Number(retry), message: body.error?.message ?? '' };
}

interface SignIn {
  ok: boolean;
  cookie: string | null;
  firstMs: number;
  totalMs: number;
  story: string;
}

/** A real user's sign-in: on 503 "busy" they wait the Retry-After and try again (at most `retries` times). */
async function signIn(apiUrl: string, user: { email: string; password: string }, address: string, retries = 2): Promise<SignIn> {
  const t0 = performance.now();
  const steps: string[] = [];
  let firstMs = 0;
  for (let i = 0; ; i++) {
    const res = await fetch(`${apiUrl}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (i === 0) firstMs = ms;
    steps.push(`${res.status} at ${seconds(ms)}`);
    const retryAfter = Number(res.headers.get('retry-after'));
    if (res.status === 503 && retryAfter > 0 && i < retries) {
      await new Promise((r) => setTimeout(r, retryAfter * 1000));
      continue;
    }
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? null;
    return { ok: res.status === 200, cookie, firstMs, totalMs: ms, story: steps.join(' → ') };
  }
}

/** An image of the project, uploaded by `manager`: the URL of its stored file. */
async function uploadedImageUrl(apiUrl: string, env: TestEnv, manager: MadeUser): Promise<string> {
  const project = await makeProject(env.deps.db, { createdBy: manager });
  const { cookie } = await signIn(apiUrl, manager, '203.0.113.8');
  const bytes = await syntheticImageBytes({ seed: 3, width: 640, height: 480, format: 'png' });
  const res = await uploadBytes(apiUrl, project.id, bytes, cookie!, 'flood.png');
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return `${apiUrl}/api/images/${res.body.image.id}/file`;
}

const countBy = (attempts: Attempt[]) => {
  const counts = new Map<number, number>();
  for (const a of attempts) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${n}×${s}`).join(', ');
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The longest lock this script waits out before trying the right password again. */
const MAX_LOCK_WAIT_S = 90;
const FLOOD_MS = 5000;

export async function run(): Promise<FaultRow[]> {
  const env = await createTestEnv();
  const victim = await makeUser(env.deps.db, { role: 'manager' });
  const other = await makeUser(env.deps.db, { role: 'manager' });
  const bystander = await makeUser(env.deps.db, { role: 'annotator' });
  const imageOwner = await makeUser(env.deps.db, { role: 'manager' });
  const [port] = (await freePorts(1)) as [number];
  const apiUrl = `http://127.0.0.1:${port}`;
  const api = spawnService('api', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/main.ts'], {
    ...stackEnvFor(env),
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  const rows: FaultRow[] = [];
  try {
    await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).ok, 'the API to be ready', 60_000, 200);
    // warm-up logins, so no measured hash waits for a lazy set-up (the decoy hash of unknown accounts)
    await attemptLogin(apiUrl, bystander.email, bystander.password);
    await attemptLogin(apiUrl, 'warm-up@example.test', 'warm-up', '192.0.2.1');
    // one sign-in's time on this machine now (the bounds below scale with it: the host may be busy)
    const singles: number[] = [];
    for (let i = 0; i < 3; i++) singles.push((await attemptLogin(apiUrl, bystander.email, bystander.password)).ms);
    const oneLogin = singles.sort((a, b) => a - b)[1]!;
    /** a login behind `ahead` password checks, 2 at a time, with half again for noise */
    const turnBound = (ahead: number) => (ahead / 2 + 1) * oneLogin * 1.5 + 300;

    // 1. 200 wrong passwords on one account, one after another
    const t0 = performance.now();
    const guesses: Attempt[] = [];
    for (let i = 0; i < 200; i++) guesses.push(await attemptLogin(apiUrl, victim.email, `wrong-${i}`));
    const elapsed = performance.now() - t0;
    const first429 = guesses.findIndex((a) => a.status === 429);
    const checked = guesses.filter((a) => a.status === 401).length;
    const sample = guesses[first429];
    rows.push({
      attack: '200 wrong passwords on one account, back to back',
      expected: '429 from the 6th attempt on, with Retry-After and a message saying when; at most 5 passwords checked',
      result:
        `${countBy(guesses)} in ${seconds(elapsed)}; ` +
        (first429 < 0 ? 'never throttled' : `first 429 at attempt ${first429 + 1} (Retry-After ${sample!.retryAfter} s: "${sample!.message}")`),
      ok: first429 >= 0 && first429 <= 5 && checked <= 5 && sample!.retryAfter !== null,
    });

    // 2. the right password while the account is locked
    const whileLocked = await attemptLogin(apiUrl, victim.email, victim.password);
    rows.push({
      attack: 'the right password right after the 200 guesses (account locked)',
      expected: '429 as well (a lock the right password opened would tell the guesser it was right)',
      result: `${whileLocked.status}${whileLocked.retryAfter !== null ? `, Retry-After ${whileLocked.retryAfter} s` : ''}${whileLocked.message ? `: "${whileLocked.message}"` : ''}`,
      ok: whileLocked.status === 429,
    });

    // 3. the right password once the lock has expired
    if (whileLocked.status === 429 && whileLocked.retryAfter !== null && whileLocked.retryAfter <= MAX_LOCK_WAIT_S) {
      await new Promise((r) => setTimeout(r, whileLocked.retryAfter! * 1000 + 250));
      const after = await attemptLogin(apiUrl, victim.email, victim.password);
      const nextWrong = await attemptLogin(apiUrl, victim.email, 'wrong-again');
      rows.push({
        attack: `the right password after waiting the Retry-After (${whileLocked.retryAfter} s)`,
        expected: '200, and the success resets the account counter (the next wrong password is a plain 401)',
        result: `${after.status} in ${seconds(after.ms)}; next wrong password → ${nextWrong.status}`,
        ok: after.status === 200 && nextWrong.status === 401,
      });
    } else {
      rows.push({
        attack: 'the right password after the lock expires',
        expected: '200 once the Retry-After has passed',
        result: whileLocked.status === 429 ? `lock of ${whileLocked.retryAfter} s not waited out` : 'no lock to wait for',
        ok: false,
      });
    }

    // 4. 40 concurrent wrong logins on one account + a real user's login fired with them
    const burst = Array.from({ length: 40 }, (_, i) => attemptLogin(apiUrl, other.email, `burst-${i}`));
    const real = attemptLogin(apiUrl, bystander.email, bystander.password);
    const [burstResults, realResult] = await Promise.all([Promise.all(burst), real]);
    rows.push({
      attack: '40 concurrent wrong logins on one account, a real user logging in at the same moment',
      expected: `the guesses are throttled (at most 5 checked), so the real login waits at most for those: 200 within ${seconds(turnBound(5))} (one login alone: ${seconds(oneLogin)})`,
      result: `real login ${realResult.status} in ${seconds(realResult.ms)}; guesses: ${countBy(burstResults)}, slowest ${seconds(Math.max(...burstResults.map((a) => a.ms)))}`,
      ok: realResult.status === 200 && realResult.ms < turnBound(5) && burstResults.filter((a) => a.status === 401).length <= 5,
    });

    // 5. 40 concurrent wrong logins on 40 unknown accounts from 40 addresses (so neither the
    //    per-account nor the per-address limit applies), a real user logging in at the same moment
    const spread = Array.from({ length: 40 }, (_, i) => attemptLogin(apiUrl, `nobody-${i}@example.test`, 'guess', `198.51.100.${i + 1}`));
    const realSpread = signIn(apiUrl, bystander, '203.0.113.7');
    const [spreadResults, realSpreadResult] = await Promise.all([Promise.all(spread), realSpread]);
    rows.push({
      attack: '40 concurrent wrong logins on 40 accounts from 40 addresses, a real user logging in at the same moment',
      expected: `no limit applies, so the real user waits its turn (2 checks at a time, first come first served): signed in within ${seconds(turnBound(40))}`,
      result: `real user: ${realSpreadResult.story}; guesses: ${countBy(spreadResults)}, slowest ${seconds(Math.max(...spreadResults.map((a) => a.ms)))}`,
      ok: realSpreadResult.ok && realSpreadResult.totalMs < turnBound(40),
    });

    // 6. a sustained flood: 40 guessers retrying at once on unknown accounts from 200 addresses;
    //    meanwhile a signed-in user reads an image (file I/O shares libuv's pool with scrypt) and a
    //    real user signs in three times
    const imageUrl = await uploadedImageUrl(apiUrl, env, imageOwner);
    const cookie = await signIn(apiUrl, imageOwner, '203.0.113.9');
    const floodEnd = performance.now() + FLOOD_MS;
    const flood: Attempt[] = [];
    let n = 0;
    const guesser = async () => {
      while (performance.now() < floodEnd) {
        const i = n++;
        flood.push(await attemptLogin(apiUrl, `flood-${i}@example.test`, 'guess', `198.51.100.${(i % 200) + 1}`));
      }
    };
    const reads: number[] = [];
    const readImages = async () => {
      while (performance.now() < floodEnd) {
        const t = performance.now();
        const res = await fetch(imageUrl, { headers: { cookie: cookie.cookie! } });
        await res.arrayBuffer();
        reads.push(res.status === 200 ? performance.now() - t : Number.POSITIVE_INFINITY);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const realUser = async () => {
      const outcomes: SignIn[] = [];
      for (let k = 0; k < 3; k++) {
        await new Promise((r) => setTimeout(r, 1000));
        outcomes.push(await signIn(apiUrl, bystander, '203.0.113.7', 1));
      }
      return outcomes;
    };
    const [, , logins] = await Promise.all([Promise.all(Array.from({ length: 40 }, guesser)), readImages(), realUser()]);
    const sortedReads = [...reads].sort((a, b) => a - b);
    const p95 = sortedReads[Math.floor(sortedReads.length * 0.95)] ?? 0;
    rows.push({
      attack: `a ${FLOOD_MS / 1000} s flood: 40 guessers retrying at once on unknown accounts from 200 addresses; a user reading an image every 100 ms, another signing in 3 times`,
      expected: 'image reads keep flowing (p95 < 1 s); each sign-in succeeds (waiting its turn, or after one 503 "busy" and its Retry-After)',
      result:
        `image reads: ${reads.length}, median ${seconds(sortedReads[Math.floor(sortedReads.length / 2)] ?? 0)}, p95 ${seconds(p95)}; ` +
        `sign-ins: ${logins.map((l) => l.story).join(' · ')}; guesses: ${countBy(flood)}`,
      ok: p95 < 1000 && logins.every((l) => l.ok),
    });
  } finally {
    await api.stop();
    await env.close();
  }
  return rows;
}
