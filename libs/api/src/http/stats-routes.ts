// The dashboard's detail downloads as plain GETs (a link the browser saves): per-image and per-mask
// CSV, streamed batch by batch with back-pressure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { authenticateSession, projectImagesCsv, projectMasksCsv, type CsvDownload } from '@dataengine/engine';
import type { ApiDeps } from '../api-deps';
import { readSessionToken } from './cookies';

const DETAIL_CSV_ROUTE = /^\/api\/projects\/([0-9a-f-]{36})\/stats\/(images|masks)\.csv$/;

export function matchStatsRoute(method: string, pathname: string): ((deps: ApiDeps, req: IncomingMessage, res: ServerResponse) => Promise<void>) | null {
  const detail = DETAIL_CSV_ROUTE.exec(pathname);
  if (!detail || method !== 'GET') return null;
  const [projectId, kind] = [detail[1]!, detail[2] as 'images' | 'masks'];
  return async (deps, req, res) => {
    const actor = await authenticateSession(deps, readSessionToken(req));
    const download = await (kind === 'images' ? projectImagesCsv : projectMasksCsv)(deps, actor, { projectId });
    await streamCsv(res, download);
  };
}

async function streamCsv(res: ServerResponse, download: CsvDownload): Promise<void> {
  const chunks = download.chunks[Symbol.asyncIterator]();
  // the first chunk (the header) is read before the status line, so a refusal is still an error answer
  const first = await chunks.next();
  res.writeHead(200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${download.fileName.replace(/[^\w.-]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  if (!first.done) res.write(first.value);
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    if (res.destroyed) {
      await chunks.return?.();
      return;
    }
    if (!res.write(next.value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}
