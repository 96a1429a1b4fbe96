/**
 * @dataengine/segment/node — Node-only: onnxruntime-node inference, bundle validation (onnx-proto),
 * SAM export import. Never import from browser code.
 */
export { createNodeSession, cudaProviderInstalled, fromOrtOutputs, OrtNodeBackend, PROMPT_GRAPH_THREADS, type NodeRuntimeOptions } from './node/ort-node-backend';
export { closeAllBundles, openBundle, type OpenBundle } from './node/open-bundle';
export { inspectBundle, validateBundle, type BundleReport, type ValidatedBundle } from './node/validate-bundle';
export { importSamExport, type ImportSamExportOptions } from './node/import-sam-export';
export { onnxDTypeName, readOnnxModelSummary, summarizeOnnxModel, type OnnxModelSummary } from './node/read-onnx-io';
