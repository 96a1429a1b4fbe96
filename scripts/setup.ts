// What an installation needs before its api and worker start (docker compose's `setup` service,
// after the migrations): the built-in checkpoint registered as the first active one. Creates no
// users: while there is no administrator it says how to create the first one.
import { createLogger, loadConfig } from '@dataengine/config';
import { countActiveAdmins, createEngineRuntime, ensureBuiltInCheckpoint } from '@dataengine/engine';

const config = loadConfig();
const runtime = createEngineRuntime(config, createLogger({ service: 'setup' }, config.LOG_LEVEL), { service: 'setup' });
try {
  const checkpoint = await ensureBuiltInCheckpoint(runtime.deps, config.defaultModelDir);
  console.log(checkpoint ? `active checkpoint: ${checkpoint.name}` : `no active checkpoint (nothing at ${config.defaultModelDir}); register one before annotating`);
  const admins = await countActiveAdmins(runtime.deps);
  if (admins > 0) console.log(`${admins} administrator account(s) present`);
  else {
    console.log(
      [
        'no administrator yet. Create the first one (the password is printed once; --password-stdin reads yours):',
        '  docker compose exec api npx dataengine user create --role admin --email you@example.com --name "Your Name"',
        'or, outside Docker:  npx dataengine user create --role admin --email you@example.com --name "Your Name"',
      ].join('\n'),
    );
  }
} finally {
  await runtime.close();
}
