import { ConfigError, loadConfig, type AppConfig } from '@dataengine/config';
import { CliError } from './cli-command.types';
import { REPO_ROOT } from './repo-paths';

/**
 * The installation's configuration as the api and worker read it: relative paths (BLOB_DIR,
 * DEFAULT_MODEL_DIR, TRAINER_DIR) from the repository root. A bad setting is a one-line CLI error.
 */
export function loadCliConfig(): AppConfig {
  try {
    return loadConfig(undefined, REPO_ROOT);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}
