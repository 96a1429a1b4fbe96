export {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  bundleManifestSchema,
  detectorContractSchema,
  lineageSchema,
  manifestProblems,
  pipelineConfigFromManifest,
  type BundleManifest,
  type BundleManifestInput,
  type DetectorContract,
} from './bundle-manifest.schema';
export { checkModelIo, expectedModelIo, formatSpec, type ModelIo, type ModelIoSpec, type OnnxDType, type TensorInfo, type TensorSpec } from './model-io';
