// Job name → processor. Thin: each parses nothing itself (the runtime re-validates payloads with the
// catalog's schema) and calls one use case.
import { embedImage, ingestImage, type EngineDeps } from '@dataengine/engine';
import type { JobCatalog, ProcessorMap } from '@dataengine/queue';

export function createProcessors(deps: EngineDeps): ProcessorMap<JobCatalog> {
  return {
    ingest: (payload) => ingestImage(deps, payload),
    embed: (payload) => embedImage(deps, payload),
  };
}
