// Structured JSON-lines logs of the web server (the same shape as the other processes' logs;
// @dataengine/config itself is server-only and stays out of apps/web).
type Level = 'info' | 'warn' | 'error';

export function logEvent(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const plain = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? { message: v.message, stack: v.stack } : v]));
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, service: 'web', ...plain })}\n`);
}
