/**
 * @dataengine/segment — isomorphic segmentation core (browser + Node): RLE and mask ops, the SAM
 * inference pipeline over any InferenceBackend, automatic mask generation (with PredictorAmgModel
 * over the ONNX pipeline), detector decoding and evaluation metrics. Node runtimes live in
 * `/node`, the browser worker in `/web`, test fixtures (contract bundles, OracleAmgModel) in `/testing`.
 */
export * from './rle/index';
export * from './pipeline/index';
export * from './bundle/index';
export * from './rle-ops/index';
export * from './polygon/index';
export * from './amg/index';
export * from './metrics/index';
export * from './detector/index';
export type { Sa1bAnnotation, Sa1bImageInfo, Sa1bImageJson } from './sa1b/sa1b.types';
export { float32ToFloat16, float16ToFloat32, toFloat16Bits, fromFloat16Bits } from './tensor/float16';
