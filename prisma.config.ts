import { defineConfig } from 'prisma/config';

// The Prisma CLI is used only for `prisma generate` here: migrations are plain SQL applied by
// libs/db's runner (see libs/db/src/migrate/), because Prisma's schema engine cannot be fetched offline.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
