// Generates the Prisma client. Prisma's schema engine cannot be downloaded on offline machines;
// `prisma generate` does not need it, but checks for it unless PRISMA_SCHEMA_ENGINE_BINARY names a file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const prismaBin = 'node_modules/.bin/prisma';
if (!existsSync(prismaBin)) {
  console.log('[prisma-generate] prisma CLI not installed yet; skipping');
  process.exit(0);
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync(prismaBin, ['generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
