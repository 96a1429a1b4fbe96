// The one place that reads process.env. Every process parses its configuration once at start-up and
// fails with the full list of problems, rather than at the first request that needs a value.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { describeRegisterSource, parseRegisterSources, sourcesOverlappingStore, type RegisterSource } from './register-sources';

const port = z.coerce.number().int().min(1).max(65_535);
const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * 2 MiB of RLE: a natural object's mask has about two runs per column it spans (a few KB even on
 * a 120-megapixel image); hair or foliage traced pixel by pixel stays well below a megabyte. A
 * string this long is refused before it is decoded.
 */
export const MASK_MAX_RLE_BYTES_DEFAULT = 2 * 1024 * 1024;

/**
 * 4 MiB per /trpc request: twice the largest mask (MASK_MAX_RLE_BYTES_DEFAULT) with its prompts;
 * the largest other inputs (100 000 image ids of a run) are under 1 MiB. Uploads and imports go
 * through the binary routes, which have limits of their own.
 */
export const TRPC_MAX_BODY_BYTES_DEFAULT = 4 * 1024 * 1024;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/dataengine'),
  /** PostgreSQL schema (namespace) holding the tables; tests give each file its own. */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('public'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key, so several installations (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[\w:-]+$/).default('dataengine'),
  BLOB_DIR: z.string().default('.data/blobs'),
  /** Where blobs live: `local` (BLOB_DIR on this host's disk) or `s3` (an S3-compatible bucket). */
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  /** S3 API endpoint (MinIO, Ceph, R2…: http(s)://host[:port]); unset: AWS S3 in S3_REGION. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3–63 lower-case letters, digits, "." and "-"').optional(),
  S3_REGION: z.string().default('us-east-1'),
  /** Unset: the AWS SDK's default chain (environment, instance profile…). */
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Path-style URLs (endpoint/bucket/key), which most self-hosted S3 servers need. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Prefix of every object key, so several installations can share one bucket. */
  S3_PREFIX: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/).optional(),
  /** Attempts per S3 request (retries with backoff) before a job fails over to its own retry. */
  S3_MAX_ATTEMPTS: positiveInt.max(20).default(4),
  /** The S3 endpoint as browsers reach it, for presigned URLs (default S3_ENDPOINT). */
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  /** Lifetime of presigned GET URLs handed to browsers (images, embeddings). 0: serve through the API. */
  S3_PRESIGN_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  /** Local directory for staged uploads and cached downloads of remote blobs (BLOB_STORE=s3). */
  BLOB_CACHE_DIR: z.string().default('.data/blob-cache'),
  /** Upper bound of the download cache in bytes (least recently used go first); unset: none. */
  BLOB_CACHE_MAX_BYTES: positiveInt.optional(),
  /** The built-in checkpoint bundle registered as the first active checkpoint at set-up. */
  DEFAULT_MODEL_DIR: z.string().default('models/default'),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(4000),
  WEB_PORT: port.default(3000),
  /** Where the web app's server forwards /trpc and /api requests. */
  API_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4000'),
  SESSION_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),
  /** The session cookie's Secure attribute (sent over HTTPS only); unset: on when NODE_ENV=production. */
  COOKIE_SECURE: bool.optional(),
  /**
   * The origin users open the web app at (scheme://host[:port]), e.g. https://data.example.com.
   * State-changing requests from a page of this origin are accepted (see the README's security
   * section); requests from the web app's own host are accepted without it.
   */
  PUBLIC_ORIGIN: z.string().url().optional(),
  /** More origins whose pages may send state-changing requests, comma-separated (rarely needed). */
  ALLOWED_ORIGINS: z.string().default(''),
  /**
   * Peers whose X-Forwarded-For / X-Forwarded-Host the API believes (the web app's proxy, a TLS
   * front end), comma-separated: IP addresses, CIDR ranges, or `loopback` / `private`.
   */
  TRUSTED_PROXIES: z.string().default('loopback'),
  UPLOAD_MAX_BYTES: positiveInt.default(256 * 1024 * 1024),
  /**
   * Where a project's managers may register images in place, comma-separated `s3://bucket[/prefix]`
   * (register-sources.ts); empty: nowhere. Never the store's own keys (checked at start-up).
   */
  REGISTER_SOURCES: z.string().default(''),
  /** Images above this many pixels are refused at upload (decompression bombs, unreadable giants). */
  UPLOAD_MAX_PIXELS: positiveInt.default(120_000_000),
  /** Longest COCO RLE string a mask may have (saves, edits, imports, machine masks); see MASK_MAX_RLE_BYTES_DEFAULT. */
  MASK_MAX_RLE_BYTES: positiveInt.default(MASK_MAX_RLE_BYTES_DEFAULT),
  /** Largest /trpc request body; a longer one is refused with 413 before it is read (TRPC_MAX_BODY_BYTES_DEFAULT). */
  TRPC_MAX_BODY_BYTES: positiveInt.default(TRPC_MAX_BODY_BYTES_DEFAULT),
  THUMBNAIL_SIZE: positiveInt.default(320),
  /** How long an annotator holds an image before it returns to the queue (renewed by heartbeats). */
  TASK_LEASE_SECONDS: positiveInt.default(30 * 60),
  /**
   * Active annotation time: a pause between two actions counts as at most this many seconds (a
   * project may set its own). Capped rather than dropped, so thinking time before a hard mask counts.
   */
  IDLE_GAP_CAP_SECONDS: positiveInt.max(3600).default(30),
  WORKER_CONCURRENCY: positiveInt.default(2),
  /** Comma-separated queue names this worker consumes; empty means every queue of the catalog. */
  WORKER_QUEUES: z.string().default(''),
  /** BullMQ lock duration: a job whose worker died (SIGKILL, OOM) goes back to the queue once its lock expires. */
  WORKER_LOCK_MS: positiveInt.default(30_000),
  /** How often a worker looks for such stalled jobs (BullMQ stalledInterval). */
  WORKER_STALLED_CHECK_MS: positiveInt.default(30_000),
  /** How often a worker sweeps for runs, run items and uploads that no queued job stands for any more. */
  RUN_SWEEP_INTERVAL_MS: positiveInt.default(60_000),
  /**
   * How old such work must be before the sweep acts: lost image jobs are queued again, a single-job
   * run without its job (never queued, or given up after its worker died) is failed with the reason.
   */
  RUN_STUCK_AFTER_MS: positiveInt.default(120_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Debian's interpreter, which sees python3-torch (STACK-NOTES.md); the retrain loop runs the trainer with it. */
  TRAINER_PYTHON: z.string().default('/usr/bin/python3'),
  /** The trainer package's directory (PYTHONPATH of the trainer subprocess). */
  TRAINER_DIR: z.string().default('trainer'),
  /** torch threads of a retrain (2 on an idle 2-core host; 1 where other jobs share the cores: trainer/README.md). */
  TRAINER_THREADS: positiveInt.default(2),
  /** An evaluate run started by a retrain promotes the candidate when its mIoU@1 beats the active one's by this much. */
  AUTO_PROMOTE_MARGIN: z.coerce.number().min(0).max(1).default(0.01),
  /** Click cap of NoC in evaluate runs (20: the SAM / RITM protocol); lower is faster and caps NoC lower. */
  EVAL_NOC_MAX_CLICKS: positiveInt.max(100).default(20),
  /**
   * An evaluate run refuses to start when the project's held-out set has fewer annotated masks than
   * this: on a handful of objects the gate's margin is noise (one image of four objects once read as
   * +0.39 mIoU@1). Estimate: with per-object IoUs spread by ~0.25, a mean over n masks is uncertain
   * by ~0.25/√n — about ±0.035 at 50.
   */
  EVAL_MIN_MASKS: positiveInt.default(50),
});

export type AppConfig = Omit<z.infer<typeof configSchema>, 'COOKIE_SECURE'> & {
  COOKIE_SECURE: boolean;
  blobDir: string;
  blobCacheDir: string;
  defaultModelDir: string;
  trainerDir: string;
  /** PUBLIC_ORIGIN and ALLOWED_ORIGINS as origins (scheme://host[:port], no path). */
  allowedOrigins: string[];
  /** TRUSTED_PROXIES as a list of entries. */
  trustedProxies: string[];
  /** REGISTER_SOURCES as buckets and prefixes. */
  registerSources: RegisterSource[];
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment (default: process.env). Throws ConfigError listing every invalid variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(present[String(i.path[0])])})`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const origins = originList([parsed.data.PUBLIC_ORIGIN ?? '', parsed.data.ALLOWED_ORIGINS].join(','));
  const proxies = parsed.data.TRUSTED_PROXIES.split(',').map((p) => p.trim()).filter(Boolean);
  const badProxies = proxies.filter((p) => !isProxyEntry(p));
  const problems = [
    ...origins.bad.map((o) => `  PUBLIC_ORIGIN/ALLOWED_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port])`),
    ...badProxies.map((p) => `  TRUSTED_PROXIES: ${JSON.stringify(p)} is not an IP address, a CIDR range, loopback or private`),
  ];
  if (parsed.data.BLOB_STORE === 's3' && !parsed.data.S3_BUCKET) problems.push('  S3_BUCKET: required when BLOB_STORE=s3 (the bucket holding images, embeddings, bundles and exports)');
  if (parsed.data.BLOB_STORE === 's3' && Boolean(parsed.data.S3_ACCESS_KEY_ID) !== Boolean(parsed.data.S3_SECRET_ACCESS_KEY)) problems.push('  S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY: set both or neither');
  const sources = parseRegisterSources(parsed.data.REGISTER_SOURCES);
  problems.push(...sources.bad.map((s) => `  REGISTER_SOURCES: ${JSON.stringify(s)} is not s3://bucket[/prefix]`));
  if (parsed.data.S3_BUCKET) {
    for (const s of sourcesOverlappingStore(sources.good, { bucket: parsed.data.S3_BUCKET, prefix: parsed.data.S3_PREFIX })) {
      problems.push(
        `  REGISTER_SOURCES: ${describeRegisterSource(s)} reaches the blob store's own keys (every project's images) in S3_BUCKET; keep datasets in another bucket, or give the store a prefix of its own (S3_PREFIX) that the source neither contains nor lies inside`,
      );
    }
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  return {
    ...parsed.data,
    COOKIE_SECURE: parsed.data.COOKIE_SECURE ?? parsed.data.NODE_ENV === 'production',
    allowedOrigins: origins.good,
    trustedProxies: proxies,
    registerSources: sources.good,
    blobDir: path.resolve(cwd, parsed.data.BLOB_DIR),
    blobCacheDir: path.resolve(cwd, parsed.data.BLOB_CACHE_DIR),
    defaultModelDir: path.resolve(cwd, parsed.data.DEFAULT_MODEL_DIR),
    trainerDir: path.resolve(cwd, parsed.data.TRAINER_DIR),
  };
}

function originList(value: string): { good: string[]; bad: string[] } {
  const good: string[] = [];
  const bad: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    try {
      const url = new URL(entry);
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '') || url.search) bad.push(entry);
      else good.push(url.origin);
    } catch {
      bad.push(entry);
    }
  }
  return { good: [...new Set(good)], bad };
}

function isProxyEntry(entry: string): boolean {
  if (entry === 'loopback' || entry === 'private') return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length || !address || isIP(address) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (isIP(address) === 4 ? 32 : 128);
}
