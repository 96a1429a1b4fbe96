export { maskIou, meanIou } from './mask-iou';
export { farthestFromBoundary, squaredDistanceToBoundary } from './distance-transform';
export { firstClick, nextClick, simulateClicks, type Click, type ClickSimulation, type InteractiveSegmenter } from './click-simulation';
export { NOC_MAX_CLICKS, NOC_THRESHOLDS, evaluateInteractive, numberOfClicks, type InteractiveEvaluation } from './interactive-metrics';
export { COCO_MAX_DETS, COCO_RECALL_POINTS, boxAp, boxAp50, type ApDetection, type ApGroundTruth } from './box-ap';
