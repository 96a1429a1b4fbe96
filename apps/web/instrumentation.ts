// Runs once when the Next server starts: a bad configuration stops the server at start-up
// instead of failing the first proxied request.
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] !== 'nodejs') return;
  const { serverEnv } = await import('./server-env');
  serverEnv();
}
