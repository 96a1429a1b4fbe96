// The Content-Type a binary route accepts. A page of another site can make a browser POST only
// text/plain, multipart/form-data or application/x-www-form-urlencoded without asking first (a
// CORS preflight, which this API never grants), and no-cors fetches drop any other type — so
// requiring the route's own type also shuts the door the same-origin guard guards.
import type { IncomingMessage } from 'node:http';
import { AppError } from '@dataengine/contracts';

export interface BodyTypeRule {
  /** exact media types (without parameters) */
  types: readonly string[];
  /** media type prefixes, e.g. `image/` */
  prefixes?: readonly string[];
  /** what the body is, for the message ("an image upload") */
  what: string;
}

export const IMAGE_UPLOAD_BODY: BodyTypeRule = { types: ['application/octet-stream'], prefixes: ['image/'], what: 'an image upload' };
export const IMPORT_UPLOAD_BODY: BodyTypeRule = {
  types: ['application/octet-stream', 'application/json', 'application/gzip', 'application/x-gzip', 'application/x-tar', 'application/x-gtar'],
  what: 'an annotation import',
};

/** The media type of a Content-Type header, lower-cased, without parameters; null when absent. */
export function mediaTypeOf(header: string | undefined): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

export function acceptsBodyType(rule: BodyTypeRule, header: string | undefined): boolean {
  const type = mediaTypeOf(header);
  return type !== null && (rule.types.includes(type) || (rule.prefixes ?? []).some((p) => type.startsWith(p)));
}

/** Throws UNSUPPORTED_MEDIA_TYPE (after draining the body) unless the request's Content-Type fits the rule. */
export function requireBodyType(req: IncomingMessage, rule: BodyTypeRule): void {
  if (acceptsBodyType(rule, req.headers['content-type'])) return;
  req.resume();
  const got = mediaTypeOf(req.headers['content-type']);
  const accepted = [...rule.types, ...(rule.prefixes ?? []).map((p) => `${p}*`)].join(', ');
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${rule.what} must be sent with Content-Type ${accepted}; this request has ${got ?? 'none'} (send the file's bytes as the body)`);
}
