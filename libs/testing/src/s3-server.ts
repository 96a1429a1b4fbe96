// A real S3-compatible server process (s3rver) for tests: its own port and directory, buckets
// created at start, and stop/start on the same port and data to simulate an outage.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutBucketCorsCommand, S3Client, type CORSRule } from '@aws-sdk/client-s3';
import { freePorts, REPO_ROOT, spawnService, type ServiceProcess } from './stack';
import { waitFor } from './wait-for';

/** s3rver's built-in account. */
export const S3_SERVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  bucket: string;
  /** The environment that points a process's blob store at this server (BLOB_STORE=s3…). */
  env: Record<string, string>;
  /** Kills the server process (clients get connection refused); the data stays. */
  pause(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
  /** Sets the bucket's CORS rules through the S3 API (PutBucketCors), as ops would for a real bucket. */
  putBucketCors(rules: CORSRule[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { dir?: string; bucket?: string } = {}): Promise<S3Server> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'dataengine-s3-')));
  const bucket = options.bucket ?? 'dataengine-test';
  const [port] = (await freePorts(1)) as [number];
  const endpoint = `http://127.0.0.1:${port}`;
  let service: ServiceProcess | null = null;

  const start = async () => {
    const started = spawnService('s3', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['libs/testing/src/s3-server-main.ts'], {
      S3_SERVER_PORT: String(port),
      S3_SERVER_DIR: dir,
      S3_SERVER_BUCKETS: bucket,
    });
    service = started;
    try {
      await waitFor(() => started.output().includes('s3 server listening'), 'the S3 server to listen', 30_000, 100);
    } catch (error) {
      await started.stop();
      throw new Error(`${(error as Error).message}\n${started.output().slice(-3000)}`);
    }
  };
  await start();
  return {
    endpoint,
    bucket,
    env: {
      BLOB_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: S3_SERVER_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: S3_SERVER_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    pause: async () => {
      await service?.stop();
      service = null;
    },
    resume: start,
    putBucketCors: async (rules) => {
      const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_SERVER_CREDENTIALS });
      // s3rver checks the signature of bucket-level requests against `/bucket?cors`, where the SDK
      // signs `/bucket/?cors` (the S3 driver in libs/storage strips the slash the same way)
      client.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { path?: string };
          if (typeof request.path === 'string' && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
          return next(args);
        },
        { step: 'build', name: 'bucketPathWithoutTrailingSlash' },
      );
      try {
        await client.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
      } finally {
        client.destroy();
      }
    },
    stop: async () => {
      await service?.stop();
      service = null;
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
