// Runs once when the Next server starts: a bad configuration stops the server at start-up, with
// the full list of problems, instead of failing the first proxied request. (Next only logs errors
// thrown here and serves on, hence the explicit exit.) Every route of this app runs on Node.
import { serverEnv } from './server-env';

export function register(): void {
  try {
    serverEnv();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
