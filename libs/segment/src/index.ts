/**
 * @dataengine/segment — isomorphic segmentation core (browser + Node).
 * Currently: COCO/SAM run-length encodings and the row-major binary mask type.
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
