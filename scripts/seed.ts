// npm run db:seed — demo users, projects and synthetic images (idempotent). Images are ingested by
// a running worker.
import { createLogger, loadConfig } from '@dataengine/config';
import { createEngineRuntime, seedDemo } from '@dataengine/engine';

const config = loadConfig();
const runtime = createEngineRuntime(config, createLogger({ service: 'seed' }, config.LOG_LEVEL));
const result = await seedDemo(runtime.deps, { images: Number(process.env['DEMO_IMAGES'] ?? 24), width: 640, height: 480, seed: 1, modelDir: config.defaultModelDir });
console.log(`seeded ${result.projects.map((p) => `${p.name}: ${p.images} images`).join(', ')}; users ${result.users.map((u) => u.email).join(', ')} (password ${result.password})`);
await runtime.close();
