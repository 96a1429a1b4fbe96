// Annotation exchange over HTTP: download an export run's artifact, upload a file to import.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@dataengine/contracts';
import { authenticateSession, getExportArtifact, IMPORT_MAX_BYTES, startImport } from '@dataengine/engine';
import type { ApiDeps } from '../api-deps';
import { IMPORT_UPLOAD_BODY, requireBodyType } from './body-type';
import { readSessionToken } from './cookies';
import { sendJson } from './respond';

type Handler = (deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

const ARTIFACT_ROUTE = /^\/api\/runs\/([0-9a-f-]{36})\/artifact$/;
const IMPORT_ROUTE = /^\/api\/projects\/([0-9a-f-]{36})\/import$/;

export function matchExchangeRoute(method: string, pathname: string): Handler | null {
  const artifact = ARTIFACT_ROUTE.exec(pathname);
  if (artifact && (method === 'GET' || method === 'HEAD')) return (deps, req, res) => handleArtifact(deps, req, res, artifact[1]!);
  const upload = IMPORT_ROUTE.exec(pathname);
  if (upload && method === 'POST') return (deps, req, res, url) => handleImport(deps, req, res, url, upload[1]!);
  return null;
}

async function handleArtifact(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, runId: string): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  const artifact = await getExportArtifact(deps, actor, runId);
  // opened before the status line, so an unreachable store still answers 503
  const body = req.method === 'HEAD' ? null : await deps.blobs.createReadStream(artifact.key);
  res.writeHead(200, {
    'Content-Type': artifact.contentType,
    'Content-Length': artifact.bytes,
    'Content-Disposition': `attachment; filename="${artifact.fileName}"`,
    'Cache-Control': 'private, no-store',
  });
  if (!body) return void res.end();
  await pipeline(body, res);
}

async function handleImport(deps: ApiDeps, req: IncomingMessage, res: ServerResponse, url: URL, projectId: string): Promise<void> {
  const actor = await authenticateSession(deps, readSessionToken(req));
  requireBodyType(req, IMPORT_UPLOAD_BODY);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > IMPORT_MAX_BYTES) {
    req.resume();
    throw new AppError('PAYLOAD_TOO_LARGE', `the import file is larger than ${IMPORT_MAX_BYTES} bytes; split it into several archives`);
  }
  const run = await startImport(deps, actor, { projectId, format: url.searchParams.get('format'), split: url.searchParams.get('split'), body: req });
  sendJson(res, 202, run);
}
