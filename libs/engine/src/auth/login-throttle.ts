// Password-guessing limits, per account and per client address, kept in Redis so every API process
// sees the same counts (PostgreSQL would do too, but this is short-lived counter state with expiry:
// Redis's atomic scripts and key TTLs fit it without a table or a sweeper).
//
// Every attempt is counted when it starts (so 40 concurrent guesses cannot all slip in before the
// first failure is recorded); a success takes its count back. Once `threshold` attempts are
// counted, each further attempt locks the scope for base·2^(n − threshold), at most `maxLockMs`.
// While a lock holds, attempts are refused with 429 before any password is hashed — the right
// password too, or the lock would tell a guesser which guess was right. A success clears the
// account's count; the address's count only loses that one attempt (one's own account cannot
// launder an address). Unknown e-mail addresses are counted like real ones (no enumeration).
//
// Redis unreachable: the attempt goes ahead unthrottled (logged). Sign-in must not stop because the
// job queue's store blips, and the bounded password check (password.ts) still caps the rate.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@dataengine/contracts';
import type { Logger } from '@dataengine/config';

export interface ThrottleLimits {
  /** attempts (failures, plus any in flight) in the window before locks begin */
  threshold: number;
  baseLockMs: number;
  maxLockMs: number;
  /** how long a count is remembered after the last attempt (plus the lock it set) */
  windowMs: number;
}

/** 5 failures per account in 15 minutes, then 30 s, 1, 2, 4, 8 min, 15 min at most: ~100 guesses a day. */
export const ACCOUNT_LIMITS: ThrottleLimits = { threshold: 5, baseLockMs: 30_000, maxLockMs: 15 * 60_000, windowMs: 15 * 60_000 };
/** Higher per address (an office behind one NAT): 30 in 15 minutes, then 1 min doubling to 15 min. */
export const ADDRESS_LIMITS: ThrottleLimits = { threshold: 30, baseLockMs: 60_000, maxLockMs: 15 * 60_000, windowMs: 15 * 60_000 };

export interface LoginAttempt {
  /** The password was right: the account's count is cleared, the address's loses this attempt. */
  succeeded(): Promise<void>;
  /** No password was checked (the server was too busy): the attempt is not counted. */
  withdrawn(): Promise<void>;
}

export interface LoginThrottle {
  /** Counts one attempt; throws TOO_MANY_REQUESTS (details.retryAfterSeconds) while a lock holds. */
  begin(who: { email: string; address: string | null }): Promise<LoginAttempt>;
  /** Forgets an account's failures and lock (an administrator reset its password). */
  clearAccount(email: string): Promise<void>;
}

// KEYS: count, lock pairs. ARGV: threshold, base, max, window per pair.
// Returns {0, waitMs, pairIndex} when a lock holds, {1} when the attempt was counted.
const BEGIN = `
local wait, which = 0, 0
for i = 1, #KEYS, 2 do
  local ttl = redis.call('PTTL', KEYS[i + 1])
  if ttl > wait then wait, which = ttl, (i + 1) / 2 end
end
if wait > 0 then return {0, wait, which} end
for i = 1, #KEYS, 2 do
  local a = (i - 1) * 2
  local threshold, base, cap, window = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local n = redis.call('INCR', KEYS[i])
  local lock = 0
  if n >= threshold then
    lock = math.floor(math.min(base * 2 ^ (n - threshold), cap))
    redis.call('SET', KEYS[i + 1], '1', 'PX', lock)
  end
  redis.call('PEXPIRE', KEYS[i], window + lock)
end
return {1}
`;

// Takes an attempt's count back. KEYS: count, lock pairs (the account's first). ARGV[1]: 'success'
// (the account's count and lock are cleared outright) or 'withdraw'; then each pair's threshold.
// A pair whose count falls under its threshold loses its lock: that lock was this attempt's.
const RELEASE = `
for i = 1, #KEYS, 2 do
  if ARGV[1] == 'success' and i == 1 then
    redis.call('DEL', KEYS[1], KEYS[2])
  else
    local n = redis.call('DECR', KEYS[i])
    if n < tonumber(ARGV[(i + 1) / 2 + 1]) then redis.call('DEL', KEYS[i + 1]) end
    if n <= 0 then redis.call('DEL', KEYS[i]) end
  end
end
return 1
`;

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

export function createLoginThrottle(
  redis: Redis,
  prefix: string,
  logger: Logger,
  limits: { account: ThrottleLimits; address: ThrottleLimits } = { account: ACCOUNT_LIMITS, address: ADDRESS_LIMITS },
  now: () => Date = () => new Date(),
): LoginThrottle {
  // e-mail addresses are hashed: no personal data in key names
  const accountKeys = (email: string) => [`${prefix}:signin:account:${digest(email)}`, `${prefix}:signin:account-lock:${digest(email)}`];
  const addressKeys = (address: string) => [`${prefix}:signin:address:${address}`, `${prefix}:signin:address-lock:${address}`];
  const args = (l: ThrottleLimits) => [l.threshold, l.baseLockMs, l.maxLockMs, l.windowMs].map(String);

  return {
    async begin({ email, address }) {
      const keys = [...accountKeys(email), ...(address ? addressKeys(address) : [])];
      const argv = [...args(limits.account), ...(address ? args(limits.address) : [])];
      let answer: number[];
      try {
        answer = (await redis.eval(BEGIN, keys.length, ...keys, ...argv)) as number[];
      } catch (error) {
        logger.warn('sign-in throttling skipped: Redis did not answer', { error });
        return { succeeded: async () => undefined, withdrawn: async () => undefined };
      }
      if (answer[0] === 0) throw lockedError(answer[1]!, answer[2] === 1 ? 'account' : 'address', now());
      const thresholds = [limits.account.threshold, ...(address ? [limits.address.threshold] : [])].map(String);
      const release = (mode: 'success' | 'withdraw') =>
        redis.eval(RELEASE, keys.length, ...keys, mode, ...thresholds).then(
          () => undefined,
          (error: unknown) => logger.warn('sign-in throttling: could not take an attempt back', { mode, error }),
        );
      return { succeeded: () => release('success'), withdrawn: () => release('withdraw') };
    },
    async clearAccount(email) {
      await redis.del(...accountKeys(email));
    },
  };
}

function lockedError(waitMs: number, scope: 'account' | 'address', now: Date): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const at = new Date(now.getTime() + seconds * 1000).toISOString().slice(11, 19);
  const whose = scope === 'account' ? 'for this account' : 'from your network address';
  return new AppError('TOO_MANY_REQUESTS', `too many failed sign-ins ${whose}; try again in ${humanDuration(seconds)} (after ${at} UTC)`, {
    retryAfterSeconds: seconds,
    scope,
  });
}

export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
