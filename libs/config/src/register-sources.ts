// REGISTER_SOURCES: the buckets and prefixes whose objects a project's managers may register in
// place (images.registerFromStore). Ops grant them one by one: the platform's S3 credentials can
// usually read more than any one project should see, starting with the store's own bucket, where
// every project's images live.

/** A bucket, and the prefix every key registered from it must start with ('' for the whole bucket). */
export interface RegisterSource {
  bucket: string;
  prefix: string;
}

const ENTRY = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

/** `s3://bucket[/prefix]` entries, comma-separated. */
export function parseRegisterSources(value: string): { good: RegisterSource[]; bad: string[] } {
  const good: RegisterSource[] = [];
  const bad: string[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = ENTRY.exec(entry);
    if (match) good.push({ bucket: match[1]!, prefix: match[2] ?? '' });
    else bad.push(entry);
  }
  return { good, bad };
}

/**
 * Sources that would reach the blob store's own keys (every project's images, embeddings, exports):
 * in its bucket, unless the store keeps to a prefix (S3_PREFIX) the source neither contains nor
 * lies inside.
 */
export function sourcesOverlappingStore(sources: readonly RegisterSource[], store: { bucket: string; prefix?: string }): RegisterSource[] {
  const own = store.prefix ? `${store.prefix.replace(/^\/+|\/+$/g, '')}/` : '';
  return sources.filter((s) => s.bucket === store.bucket && (own === '' || own.startsWith(s.prefix) || s.prefix.startsWith(own)));
}

/** Whether `key` (or every key under the prefix `key`) is inside one of the sources. */
export function withinRegisterSources(sources: readonly RegisterSource[], bucket: string, key: string): boolean {
  return sources.some((s) => s.bucket === bucket && key.startsWith(s.prefix));
}

export const describeRegisterSource = (s: RegisterSource): string => `s3://${s.bucket}/${s.prefix}`;
