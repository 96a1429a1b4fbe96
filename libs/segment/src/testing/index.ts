/** @dataengine/segment/testing — Node-only contract fixtures (SAM-SPEC.md §8). Tests and benchmarks only. */
export { CONTRACT_IOU, CONTRACT_RADII, buildContractDecoder, buildContractDetector, buildContractEncoder, buildContractEncoderExternal, contractLogit, type ContractOptions } from './contract-models';
export { contractManifest, writeContractBundle, type ContractBundleVariant } from './contract-bundle';
export { DT, encodeModel, floatTensor, int64Tensor, node, valueInfo, type GraphSpec } from './onnx-builder';
// Ground-truth-backed AmgModel (tests and benchmarks without a checkpoint); itself isomorphic.
export { OracleAmgModel, type OracleInstance, type OracleOptions } from './oracle-amg-model';
export { toyInstances, toyMask, type ToyInstanceSpec, type ToyShape } from './toy-scene';
export { denseArea, denseBboxSam, denseCounts } from './dense-reference';
