// npm run db:migrate — applies pending SQL migrations to DATABASE_URL / DATABASE_SCHEMA.
import { loadConfig } from '@dataengine/config';
import { migrate, MIGRATIONS_DIR } from '../index';

const config = loadConfig();
const result = await migrate({
  connectionString: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  migrationsDir: MIGRATIONS_DIR,
  log: (line) => console.log(line),
});
console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
