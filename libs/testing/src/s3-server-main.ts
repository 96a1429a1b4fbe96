// An S3-compatible server (s3rver) as its own process, for tests: S3_SERVER_PORT, S3_SERVER_DIR,
// S3_SERVER_BUCKETS (comma-separated, created at start). Prints "s3 server listening on <port>".
import S3rver from '@20minutes/s3rver';

const port = Number(process.env['S3_SERVER_PORT'] ?? 0);
const directory = process.env['S3_SERVER_DIR'];
if (!directory) throw new Error('S3_SERVER_DIR is required');
const buckets = (process.env['S3_SERVER_BUCKETS'] ?? '').split(',').filter(Boolean);

const server = new S3rver({ port, address: '127.0.0.1', directory, silent: true, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
const address = await server.run();
process.stdout.write(`s3 server listening on ${address.port}\n`);
const stop = () => {
  server.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
