// Job name → processor. Thin: each parses nothing itself (the runtime re-validates payloads with the
// catalog's schema) and calls one use case.
import { embedImage, ingestImage, type EngineDeps } from '@dataengine/engine';
import { PermanentJobError, type JobCatalog, type ProcessorMap } from '@dataengine/queue';

const notBuilt = (name: string) => () => Promise.reject(new PermanentJobError(`${name} runs are not available in this build`));

export function createProcessors(deps: EngineDeps): ProcessorMap<JobCatalog> {
  return {
    ingest: (payload) => ingestImage(deps, payload),
    embed: (payload) => embedImage(deps, payload),
    prefill: notBuilt('prefill'),
    autogen: notBuilt('autogen'),
    retrain: notBuilt('retrain'),
    evaluate: notBuilt('evaluate'),
    export: notBuilt('export'),
    import: notBuilt('import'),
  };
}
