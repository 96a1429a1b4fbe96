// `dataengine` entry point (bin/dataengine.mjs runs it with tsx). segment, amg and checkpoint work
// offline on model bundles; simulate uses PostgreSQL and Redis and starts worker processes.
import { closeAllBundles } from '@dataengine/segment/node';
import { runCli } from './run-cli';

// `dataengine … | head` closes the pipe early: that is not an error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  cwd: process.cwd(),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
});
await closeAllBundles();
process.exitCode = code;
