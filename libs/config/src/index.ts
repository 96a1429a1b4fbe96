export { loadConfig, configSchema, ConfigError, MASK_MAX_RLE_BYTES_DEFAULT, TRPC_MAX_BODY_BYTES_DEFAULT } from './config';
export type { AppConfig } from './config';
export { describeRegisterSource, parseRegisterSources, sourcesOverlappingStore, withinRegisterSources, type RegisterSource } from './register-sources';
export { createLogger } from './logger';
export type { Logger, LogFields } from './logger';
