// Passwords are hashed with scrypt, a memory-hard KDF (N=2^15, r=8, p=1 → 32 MiB per hash).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '@dataengine/contracts';
import { WaitGate } from './wait-gate';

const PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = PARAMS;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !keyB64) return false;
  const N = Number(n);
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 });
  return timingSafeEqual(key, expected);
}

/** A valid hash of a random secret, checked when the e-mail is unknown so timing does not reveal it. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));

/**
 * Sign-in password checks run at most this many at a time per process. scrypt runs on libuv's
 * thread pool (4 threads), which file reads and writes share: 40 concurrent wrong logins once kept
 * a real login waiting 6.8 s and image reads waiting 10 s. Two leave the pool half free.
 */
export const MAX_CONCURRENT_PASSWORD_CHECKS = 2;
/**
 * Checks wait their turn first come, first served, for at most MAX_PASSWORD_CHECK_WAIT_MS (then 503
 * "busy", retry shortly); at most MAX_WAITING_PASSWORD_CHECKS wait (more are refused at once). A
 * queue, not early refusal: guessers who retry the moment they are refused would keep a short
 * queue full and a real user out, while in a queue they wait their turn like everyone else.
 */
export const MAX_WAITING_PASSWORD_CHECKS = 200;
export const MAX_PASSWORD_CHECK_WAIT_MS = 10_000;
export const PASSWORD_BUSY_RETRY_SECONDS = 2;

const signInGate = new WaitGate({
  concurrency: MAX_CONCURRENT_PASSWORD_CHECKS,
  maxWaiting: MAX_WAITING_PASSWORD_CHECKS,
  maxWaitMs: MAX_PASSWORD_CHECK_WAIT_MS,
  busy: () =>
    new AppError('SERVICE_UNAVAILABLE', `the server is busy checking other sign-ins; try again in ${PASSWORD_BUSY_RETRY_SECONDS} seconds`, {
      retryAfterSeconds: PASSWORD_BUSY_RETRY_SECONDS,
    }),
});

/** Refuses at once (503) when no sign-in password check could even wait: before any other work. */
export function assertSignInCapacity(): void {
  signInGate.assertRoom();
}

/**
 * verifyPassword for requests anyone can send (sign-in, changing one's password): bounded as
 * above; throws SERVICE_UNAVAILABLE with details.retryAfterSeconds when it cannot get a turn.
 * An unknown account is checked against the decoy hash, so it costs (and takes) the same.
 */
export function checkSignInPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  return signInGate.run(async () => verifyPassword(password, stored ?? (await decoyHash())));
}
