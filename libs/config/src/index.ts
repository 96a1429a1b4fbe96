export { loadConfig, configSchema, ConfigError } from './config';
export type { AppConfig } from './config';
export { createLogger } from './logger';
export type { Logger, LogFields } from './logger';
