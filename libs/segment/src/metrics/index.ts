export { maskArea, maskIou, meanIou } from './mask-iou';
export { farthestFromBoundary, squaredDistanceToBoundary } from './distance-transform';
export { firstClick, nextClick, simulateClicks, type Click, type ClickSimulation, type InteractiveSegmenter } from './click-simulation';
export { NOC_MAX_CLICKS, NOC_THRESHOLDS, evaluateInteractive, numberOfClicks, type InteractiveEvaluation } from './interactive-metrics';
export { COCO_MAX_DETS, COCO_RECALL_POINTS, boxAp, boxAp50, type ApDetection, type ApGroundTruth } from './box-ap';
export { focusSegmenter, predictorSegmenter } from './predictor-interactive-segmenter';
export { CALIBRATION_BINS, calibrationBins, calibrationError, type CalibrationBin, type IouPair } from './iou-calibration';
export {
  EVAL_DETECTOR_SCORE_THRESHOLD,
  EVAL_MIN_OBJECT_AREA,
  evaluateBundle,
  exclusiveBox,
  type BundleEvaluation,
  type EvalObject,
  type EvalScene,
  type EvaluateBundleOptions,
} from './evaluate-bundle';
