// The browser bundle imports the API's router as a type only: no server library (database, queue,
// API server, Node built-ins) may reach the JavaScript that ships to browsers.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@dataengine/testing';

const CLIENT_CHUNKS = path.join(REPO_ROOT, 'apps/web/.next/static');
/** Strings that only server code of this repository (or its server dependencies) contains. */
const SERVER_MARKERS = ['PrismaClient', 'bullmq', 'ioredis', 'createHTTPHandler', 'createApiServer', 'onnxruntime-node', 'node:fs'];

async function clientScripts(): Promise<{ file: string; text: string }[]> {
  const entries = await readdir(CLIENT_CHUNKS, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.js')).map((e) => path.join(e.parentPath, e.name));
  return Promise.all(files.map(async (file) => ({ file: path.relative(CLIENT_CHUNKS, file), text: await readFile(file, 'utf8') })));
}

describe('the client bundle', () => {
  it('holds the tRPC client but no server code', async () => {
    const scripts = await clientScripts();
    expect(scripts.some((s) => s.text.includes('/trpc'))).toBe(true); // the same-origin link is in there
    const leaks = scripts.flatMap((s) => SERVER_MARKERS.filter((m) => s.text.includes(m)).map((m) => `${s.file}: ${m}`));
    expect(leaks).toEqual([]);
  });
});
