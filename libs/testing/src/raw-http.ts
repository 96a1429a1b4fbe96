// A client that sends a large request body in chunks and stops as soon as the server answers, to
// see whether (and how fast) a server refuses a body without reading it. Plain sockets: a server
// that answers early and closes makes Node's HTTP client fail the write (EPIPE) before it hands
// over the answer, while the answer is already here.
import net from 'node:net';

export interface RawPostResult {
  status: number;
  body: string;
  /** From the start to the answer's end. */
  ms: number;
  /** Body bytes handed to the socket before the answer arrived. */
  bytesSent: number;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
}

export interface RawPostOptions {
  headers?: Record<string, string>;
  /** Body size; sent as Content-Length unless `chunked`. */
  bytes?: number;
  /** The whole body (instead of `bytes` of `fill`). */
  body?: Buffer;
  /** Send without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  /** Content of the body: repeated to `bytes` (default spaces, valid JSON whitespace). */
  fill?: string;
  /** The body's first bytes (e.g. the start of a JSON document), then `fill`. */
  prefix?: string;
  method?: string;
}

const CHUNK = 256 * 1024;

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A complete HTTP/1.1 response in `data`, or null while more is needed. */
function parseResponse(data: Buffer, ended: boolean): Parsed | null {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine, ...lines] = data.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine!.split(' ')[1]);
  const rest = data.subarray(split + 4);
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length) } : null;
  }
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts) };
      if (rest.length < eol + 2 + size + 2) return null;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  return ended ? { status, headers, body: rest } : null;
}

export function rawPost(baseUrl: string, path: string, options: RawPostOptions): Promise<RawPostResult> {
  const url = new URL(path, baseUrl);
  const filler = Buffer.alloc(CHUNK, options.fill ?? ' ');
  const prefix = Buffer.from(options.prefix ?? '');
  const total = options.body?.length ?? options.bytes ?? 0;
  const headers: Record<string, string | number> = { host: url.host, 'content-type': 'application/json', connection: 'close', ...options.headers };
  if (options.chunked) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = total;
  const head = `${options.method ?? 'POST'} ${url.pathname}${url.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let sent = 0;
    let settled = false;
    const finish = (ended: boolean) => {
      if (settled) return;
      const parsed = parseResponse(received, ended);
      if (!parsed) {
        if (ended) {
          settled = true;
          reject(new Error(`the connection closed without a complete answer (${received.length} bytes received, ${sent} sent)`));
        }
        return;
      }
      settled = true;
      socket.destroy();
      resolve({ status: parsed.status, body: parsed.body.toString('utf8'), ms: performance.now() - t0, bytesSent: sent, headers: parsed.headers });
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    // a refused body ends in EPIPE/ECONNRESET on our side; the answer decides
    socket.on('error', () => undefined);
    const pump = () => {
      while (!settled && !socket.destroyed && sent < total) {
        const piece = options.body
          ? options.body.subarray(sent, sent + CHUNK)
          : sent === 0 && prefix.length
            ? prefix
            : filler.subarray(0, Math.min(CHUNK, total - sent));
        sent += piece.length;
        const framed = options.chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
        if (!socket.write(framed)) return void socket.once('drain', pump);
      }
      if (!settled && !socket.destroyed && options.chunked) socket.write('0\r\n\r\n');
    };
    socket.once('connect', () => {
      socket.write(head);
      pump();
    });
  });
}
