// Job name → processor. Thin: each parses nothing itself (the runtime re-validates payloads with the
// catalog's schema) and calls one use case.
import { autogenImage, embedImage, ingestImage, prefillImage, runEvaluate, runExport, runImport, runRegisterListing, runRetrain, type EngineDeps } from '@dataengine/engine';
import type { JobCatalog, ProcessorMap } from '@dataengine/queue';

export function createProcessors(deps: EngineDeps): ProcessorMap<JobCatalog> {
  return {
    ingest: (payload) => ingestImage(deps, payload),
    embed: (payload) => embedImage(deps, payload),
    prefill: (payload, ctx) => prefillImage(deps, payload, ctx),
    autogen: (payload, ctx) => autogenImage(deps, payload, ctx),
    retrain: (payload) => runRetrain(deps, payload),
    evaluate: (payload) => runEvaluate(deps, payload),
    export: (payload, ctx) => runExport(deps, payload, ctx),
    import: (payload, ctx) => runImport(deps, payload, ctx),
    register: (payload) => runRegisterListing(deps, payload),
  };
}
