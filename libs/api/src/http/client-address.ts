// Who sent a request: the peer's address, or — when the peer is a trusted proxy (the web app's
// server, a TLS front end; TRUSTED_PROXIES) — what that proxy says in X-Forwarded-For and
// X-Forwarded-Host. Each proxy appends the address it saw, so the client is the rightmost entry
// that is not itself a trusted proxy. Caveat, written in the README's security section: the web
// app's server (Next.js) keeps an X-Forwarded-For the browser sent instead of replacing it, so
// without a front end that sets the header, the per-address login limit can be dodged by a client
// that forges it; the per-account limit and the bounded password hashing hold regardless.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

const LOOPBACK = [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']] as const;
const PRIVATE = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
] as const;

export interface ProxyTrust {
  trusts(address: string | null | undefined): boolean;
}

/** Entries as TRUSTED_PROXIES holds them (validated by loadConfig): addresses, CIDR ranges, loopback, private. */
export function createProxyTrust(entries: readonly string[]): ProxyTrust {
  const list = new BlockList();
  const addRange = ([net, bits, family]: readonly [string, number, 'ipv4' | 'ipv6']) => list.addSubnet(net, bits, family);
  for (const entry of entries) {
    if (entry === 'loopback') LOOPBACK.forEach(addRange);
    else if (entry === 'private') PRIVATE.forEach(addRange);
    else {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(bits), family);
    }
  }
  return {
    trusts(address) {
      const plain = normalizeAddress(address);
      if (!plain) return false;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) → `127.0.0.1`. */
function normalizeAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

const headerValue = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(',') : (value ?? ''));

/** The client's address: the peer, or the rightmost untrusted X-Forwarded-For entry behind trusted proxies. */
export function clientAddressOf(req: IncomingMessage, trust: ProxyTrust): string | null {
  const peer = normalizeAddress(req.socket.remoteAddress);
  if (!trust.trusts(peer)) return peer;
  const hops = headerValue(req.headers['x-forwarded-for'])
    .split(',')
    .map((h) => normalizeAddress(h))
    .filter((h): h is string => h !== null && isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trust.trusts(hops[i])) return hops[i]!;
  }
  return hops[0] ?? peer;
}

/** The host the client addressed: X-Forwarded-Host from a trusted proxy, else Host. */
export function requestHostOf(req: IncomingMessage, trust: ProxyTrust): string | null {
  if (trust.trusts(req.socket.remoteAddress)) {
    const forwarded = headerValue(req.headers['x-forwarded-host']).split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return req.headers.host ?? null;
}
