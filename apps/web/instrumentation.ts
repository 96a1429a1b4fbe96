// Runs once when the Next server starts: a bad configuration stops the server at start-up
// instead of failing the first proxied request. (Every route of this app runs on Node.)
import { serverEnv } from './server-env';

export function register(): void {
  serverEnv();
}
