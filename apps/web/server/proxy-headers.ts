// Pure header rules of the same-origin proxy (unit-tested in proxy-headers.test.ts).

/** Connection-level headers (RFC 9110 §7.6.1) that must not be forwarded by a proxy. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Also hop-by-hop: any header the Connection header names. */
function connectionNamed(headers: Headers): Set<string> {
  const named = (headers.get('connection') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return new Set(named);
}

function isHopByHop(name: string, named: Set<string>): boolean {
  return HOP_BY_HOP.has(name) || named.has(name);
}

/**
 * Headers for the request to the API: everything the browser sent (cookie included) except
 * hop-by-hop headers and `host` (fetch sets it for the target). `accept-encoding: identity` so
 * the API answers uncompressed and lengths stay exact; Next compresses for the browser itself.
 */
export function upstreamRequestHeaders(incoming: Headers, origin: { host: string | null; proto: string }): Headers {
  const named = connectionNamed(incoming);
  const out = new Headers();
  incoming.forEach((value, name) => {
    // `expect: 100-continue` is answered by the web server itself; Node's fetch refuses the header
    if (name === 'host' || name === 'accept-encoding' || name === 'expect' || isHopByHop(name, named)) return;
    out.set(name, value);
  });
  out.set('accept-encoding', 'identity');
  if (origin.host && !out.has('x-forwarded-host')) out.set('x-forwarded-host', origin.host);
  if (!out.has('x-forwarded-proto')) out.set('x-forwarded-proto', origin.proto);
  return out;
}

/**
 * Headers for the browser: the API's status-relevant headers (set-cookie, content-type, cache
 * headers, ETag…) minus hop-by-hop ones. fetch decodes compressed bodies by itself, so when the
 * API did compress, the decoded stream no longer matches content-encoding/content-length.
 */
export function downstreamResponseHeaders(upstream: Headers): Headers {
  const named = connectionNamed(upstream);
  const decoded = (upstream.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  const out = new Headers();
  upstream.forEach((value, name) => {
    if (name === 'set-cookie' || isHopByHop(name, named)) return;
    if (decoded && (name === 'content-encoding' || name === 'content-length')) return;
    out.set(name, value);
  });
  for (const cookie of upstream.getSetCookie()) out.append('set-cookie', cookie);
  return out;
}

/** Statuses whose responses carry no body (a Response with one would throw). */
export function isNullBodyStatus(status: number): boolean {
  return status === 101 || status === 103 || status === 204 || status === 205 || status === 304;
}
