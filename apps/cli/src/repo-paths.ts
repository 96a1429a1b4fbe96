import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root, from this file's location (apps/cli/src). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The built-in checkpoint bundle produced by the trainer (ARCHITECTURE.md "Where the default model comes from"). */
export const DEFAULT_CHECKPOINT_DIR = join(REPO_ROOT, 'models', 'default');
