// The one place in apps/web that reads process.env. Parsed once per server process (at start-up,
// from instrumentation.ts), failing with the full list of problems. Read at run time, never
// inlined at build time, so one build serves any API address.
import { z } from 'zod';

const serverEnvSchema = z.object({
  /** Where the web server forwards /trpc and /api requests (the API process, not the browser's view of it). */
  API_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4000'),
  // the object store as browsers reach it (the same settings as the API's): with `s3`, pages may
  // load presigned images and embeddings from its origin (content-security-policy.ts)
  BLOB_STORE: z.enum(['local', 's3']).default('local'),
  S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
});

export type ServerEnv = z.infer<typeof serverEnvSchema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (cached) return cached;
  const present = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = serverEnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(present[String(i.path[0])])})`);
    throw new Error(`invalid web server configuration:\n${lines.join('\n')}`);
  }
  cached = parsed.data;
  return cached;
}
