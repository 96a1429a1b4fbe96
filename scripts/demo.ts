import { createLogger, loadConfig } from '@dataengine/config';
import { migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { createEngineRuntime, DEMO_SEED, seedDemo } from '@dataengine/engine';
import { ensureDatabase, ensureWebBuild, startStack, waitFor } from '@dataengine/testing';
// @ts-expect-error plain ESM helper without types
import { ensureServices, log } from './lib/ensure.mjs';

const config = loadConfig();
const images = Number(process.env['DEMO_IMAGES'] ?? DEMO_SEED.images);

try {
  await ensureServices({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL });
} catch (error) {
  console.error(`\n✖ ${(error as Error).message}\n`);
  process.exit(1);
}

await ensureDatabase(config.DATABASE_URL);
const migrated = await migrate({ connectionString: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, migrationsDir: MIGRATIONS_DIR });
log(`database ready (${migrated.applied.length} migrations applied, ${migrated.alreadyApplied.length} already there)`);

const runtime = createEngineRuntime(config, createLogger({ service: 'demo' }, 'warn'));
await waitFor(() => runtime.deps.redis.status === 'ready', 'Redis', 10_000);
log(`seeding the demo data (${images} synthetic images)…`);
const seeded = await seedDemo(runtime.deps, { ...DEMO_SEED, images, modelDir: config.defaultModelDir });
await runtime.close();

log('building the web app (first run only, ~1 min)…');
await ensureWebBuild({ echo: false });

const stack = await startStack({
  env: {
    DATABASE_URL: config.DATABASE_URL,
    DATABASE_SCHEMA: config.DATABASE_SCHEMA,
    REDIS_URL: config.REDIS_URL,
    QUEUE_PREFIX: config.QUEUE_PREFIX,
    BLOB_DIR: config.blobDir,
    LOG_LEVEL: config.LOG_LEVEL,
  },
  apiPort: config.API_PORT,
  webPort: config.WEB_PORT,
  echo: process.argv.includes('--verbose'),
});

const url = `http://localhost:${config.WEB_PORT}`;
console.log(`
  ┌──────────────────────────────────────────────────────────────┐
  │  Data Engine is running:  ${url.padEnd(35)}│
  └──────────────────────────────────────────────────────────────┘
  Log in as (password for all: ${seeded.password}):
${seeded.users.map((u) => `    ${u.role.padEnd(10)} ${u.email}`).join('\n')}
  Projects: ${seeded.projects.map((p) => `${p.name} (${p.images} images)`).join(', ')}
  API ${stack.apiUrl}   ·   blobs in ${config.blobDir}   ·   Ctrl-C stops everything
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log('stopping api, worker and web…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
for (const service of stack.services) {
  service.child.on('exit', (code) => {
    if (!stopping && code !== 0) {
      console.error(`\n✖ ${service.name} stopped unexpectedly (exit ${code}):\n${service.output().slice(-3000)}`);
      void stop();
    }
  });
}
