// Password guessing against the real API, PostgreSQL and Redis: per-account and per-address locks
// with 429 + Retry-After, what the right password gets while locked and after, concurrent guesses,
// and sign-in going on (unthrottled, logged) while Redis is away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducerConnection } from '@dataengine/queue';
import { createTestEnv, makeUser, startTestApi, type MadeUser, type TestEnv } from '@dataengine/testing';

let env: TestEnv;
let api: { url: string; close(): Promise<void> };

beforeAll(async () => {
  env = await createTestEnv();
  api = await startTestApi(env.deps);
});
afterAll(async () => {
  await api?.close();
  await env?.close();
});

interface Answer {
  status: number;
  retryAfter: number | null;
  message: string;
}

async function signIn(email: string, password: string, address?: string, base = api.url): Promise<Answer> {
  const res = await fetch(`${base}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}) },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  const retry = res.headers.get('retry-after');
  return { status: res.status, retryAfter: retry === null ? null : Number(retry), message: body.error?.message ?? '' };
}

/** Lets every lock of the installation run out now (time passing, on the real Redis). */
async function expireLocks(): Promise<void> {
  const keys = await env.deps.redis.keys(`${env.config.QUEUE_PREFIX}:signin:*-lock:*`);
  for (const key of keys) await env.deps.redis.pexpire(key, 1);
  await new Promise((r) => setTimeout(r, 20));
}

describe('per account', () => {
  let user: MadeUser;
  beforeAll(async () => {
    user = await makeUser(env.deps.db, { role: 'annotator' });
  });

  it('5 wrong passwords are checked; the 6th attempt gets 429 with Retry-After and a message saying when', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i++) answers.push(await signIn(user.email, `wrong-${i}`, '192.0.2.10'));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.slice(5).map((a) => a.status)).toEqual([429, 429, 429]);
    const locked = answers[5]!;
    expect(locked.retryAfter).toBeGreaterThan(25);
    expect(locked.retryAfter).toBeLessThanOrEqual(30);
    expect(locked.message).toMatch(/^too many failed sign-ins for this account; try again in \d+ seconds \(after \d\d:\d\d:\d\d UTC\)$/);
  });

  it('the right password is refused too while the lock holds (no oracle), from any address', async () => {
    const right = await signIn(user.email, user.password, '198.51.100.99');
    expect(right.status).toBe(429);
    expect(right.message).toContain('for this account');
  });

  it('after the lock, one more wrong password locks again for twice as long', async () => {
    await expireLocks();
    expect((await signIn(user.email, 'wrong-again', '192.0.2.10')).status).toBe(401);
    const next = await signIn(user.email, 'wrong-again', '192.0.2.10');
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(55);
    expect(next.retryAfter).toBeLessThanOrEqual(60);
  });

  it('the right password works once the lock ran out, and resets the count', async () => {
    await expireLocks();
    expect((await signIn(user.email, user.password, '192.0.2.10')).status).toBe(200);
    const after: number[] = [];
    for (let i = 0; i < 4; i++) after.push((await signIn(user.email, `oops-${i}`, '192.0.2.10')).status);
    expect(after).toEqual([401, 401, 401, 401]);
    expect((await signIn(user.email, user.password, '192.0.2.10')).status).toBe(200);
  });

  it('40 concurrent guesses: at most 5 passwords are checked, the rest are refused at once', async () => {
    const target = await makeUser(env.deps.db, { role: 'manager' });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(target.email, `burst-${i}`, `203.0.113.${i + 1}`)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(35);
  });

  it('an unknown e-mail is counted like a real one (nothing tells them apart)', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await signIn('nobody-here@example.test', 'x', '192.0.2.11')).status);
    expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('per address', () => {
  it('30 failures from one address on different accounts lock the address (higher limit); other addresses go on', async () => {
    const real = await makeUser(env.deps.db, { role: 'annotator' });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await signIn(`spray-${i}@example.test`, 'Summer2026!', '192.0.2.77')).status);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    const locked = await signIn(real.email, real.password, '192.0.2.77');
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/^too many failed sign-ins from your network address; try again in/);
    expect((await signIn(real.email, real.password, '192.0.2.78')).status).toBe(200);
  });

  it('X-Forwarded-For counts only from a trusted proxy: otherwise the peer address is the key', async () => {
    const direct = await startTestApi({ ...env.deps, trustedProxies: ['10.9.8.7'] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await signIn(`rotate-${i}@example.test`, 'x', `198.51.100.${i + 1}`, direct.url)).status);
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses[30]).toBe(429); // rotating the header did not help: all came from 127.0.0.1
    } finally {
      await direct.close();
    }
  });
});

describe('when Redis is unreachable', () => {
  it('sign-in goes on unthrottled (the job queue blipping must not lock everyone out)', async () => {
    const deadRedis = createProducerConnection('redis://127.0.0.1:1', { retryStrategy: () => null });
    const blind = await startTestApi({ ...env.deps, redis: deadRedis });
    try {
      const user = await makeUser(env.deps.db, { role: 'annotator' });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await signIn(user.email, `w-${i}`, undefined, blind.url)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
      expect((await signIn(user.email, user.password, undefined, blind.url)).status).toBe(200);
    } finally {
      await blind.close();
      deadRedis.disconnect();
    }
  });
});
