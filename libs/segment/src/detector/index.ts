export {
  DETECTOR_DEFAULT_MAX_DETECTIONS,
  DETECTOR_DEFAULT_NMS_THRESHOLD,
  DETECTOR_DEFAULT_SCORE_THRESHOLD,
  DETECTOR_INPUT_SIZE,
  decodeDetectorOutput,
  nmsDetections,
  type DetectedBox,
  type DetectorBoxFormat,
  type DetectorDecodeOptions,
  type DetectorOutput,
} from './detector-decode';
export { DETECTOR_OUTPUT_NAMES, boxDetectorConfig, detectBoxes, type BoxDetectorConfig } from './run-detector';
