/**
 * @dataengine/segment — isomorphic segmentation core (browser + Node).
 * Currently: COCO/SAM run-length encodings and the row-major binary mask type.
 */
export * from './rle/index';
