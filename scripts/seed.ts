// npm run db:seed — demo users, projects and synthetic images (idempotent). Images are ingested by
// a running worker. The demo users share a published password, so production refuses it.
import { createLogger, loadConfig } from '@dataengine/config';
import { createEngineRuntime, DEMO_SEED, seedDemo } from '@dataengine/engine';

const config = loadConfig();
if (config.NODE_ENV === 'production') {
  console.error(
    'db:seed creates demo users whose password is published; it does not run with NODE_ENV=production.\n' +
      'Create the first administrator instead:  npx dataengine user create --role admin --email you@example.com --name "Your Name"',
  );
  process.exit(1);
}
const runtime = createEngineRuntime(config, createLogger({ service: 'seed' }, config.LOG_LEVEL));
const result = await seedDemo(runtime.deps, { ...DEMO_SEED, images: Number(process.env['DEMO_IMAGES'] ?? DEMO_SEED.images), modelDir: config.defaultModelDir });
console.log(`seeded ${result.projects.map((p) => `${p.name}: ${p.images} images`).join(', ')}; users ${result.users.map((u) => u.email).join(', ')} (password ${result.password})`);
await runtime.close();
