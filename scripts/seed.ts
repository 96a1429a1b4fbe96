// npm run db:seed — demo users, projects and synthetic images (idempotent). Images are ingested by
// a running worker.
import { createLogger, loadConfig } from '@dataengine/config';
import { createEngineRuntime, DEMO_SEED, seedDemo } from '@dataengine/engine';

const config = loadConfig();
const runtime = createEngineRuntime(config, createLogger({ service: 'seed' }, config.LOG_LEVEL));
const result = await seedDemo(runtime.deps, { ...DEMO_SEED, images: Number(process.env['DEMO_IMAGES'] ?? DEMO_SEED.images), modelDir: config.defaultModelDir });
console.log(`seeded ${result.projects.map((p) => `${p.name}: ${p.images} images`).join(', ')}; users ${result.users.map((u) => u.email).join(', ')} (password ${result.password})`);
await runtime.close();
