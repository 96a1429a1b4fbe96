// The API process: tRPC + binary routes over the engine's use cases.
import { createApiServer } from '@dataengine/api';
import { createLogger, loadConfig } from '@dataengine/config';
import { createEngineRuntime } from '@dataengine/engine';

const config = loadConfig();
const logger = createLogger({ service: 'api' }, config.LOG_LEVEL);
const runtime = createEngineRuntime(config, logger, { service: 'api' });
const server = createApiServer({
  ...runtime.deps,
  cookieSecure: config.COOKIE_SECURE,
  queuePrefix: config.QUEUE_PREFIX,
  requestLimits: { trpcMaxBodyBytes: config.TRPC_MAX_BODY_BYTES },
  allowedOrigins: config.allowedOrigins,
  trustedProxies: config.trustedProxies,
});
server.keepAliveTimeout = 65_000;

server.listen(config.API_PORT, config.API_HOST, () => {
  logger.info('api listening', { url: `http://${config.API_HOST}:${config.API_PORT}` });
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info('api stopping', { signal });
  server.close(() => void runtime.close().then(() => process.exit(0)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
