export { type RleBitOp, rleCombine, rleIntersect, rleMerge, rleMergeAll, rleSubtract } from './rle-boolean';
export { type RleOverlap, rleIntersectionArea, rleIou, rleOverlap, rleUnionArea } from './rle-overlap';
export { rlePaste } from './rle-paste';
