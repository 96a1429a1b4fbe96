export {
  AMG_DEFAULT_BOX_NMS_THRESH,
  AMG_DEFAULT_CROP_NMS_THRESH,
  AMG_DEFAULT_CROP_N_LAYERS,
  AMG_DEFAULT_CROP_N_POINTS_DOWNSCALE_FACTOR,
  AMG_DEFAULT_CROP_OVERLAP_RATIO,
  AMG_DEFAULT_MIN_MASK_REGION_AREA,
  AMG_DEFAULT_OUTPUT_MODE,
  AMG_DEFAULT_POINTS_PER_BATCH,
  AMG_DEFAULT_POINTS_PER_SIDE,
  AMG_DEFAULT_PRED_IOU_THRESH,
  AMG_DEFAULT_STABILITY_SCORE_OFFSET,
  AMG_DEFAULT_STABILITY_SCORE_THRESH,
  AMG_OUTPUT_MODES,
  AMG_PRESETS,
  AMG_SA1B_OPTIONS,
  AMG_SAM_DEFAULT_OPTIONS,
  AmgOptionsError,
  CROP_EDGE_ATOL,
  AMG_MASK_THRESHOLD,
  resolveAmgOptions,
  type AmgOptions,
  type AmgOutputMode,
  type AmgPresetName,
  type PointGrid,
} from './amg-options';
export { AMG_MASKS_PER_POINT, type AmgCropContext, type AmgModel, type MultimaskPrediction } from './amg-model';
export { sliceImage } from './amg-image';
export { boxAreaXyxy, buildAllLayerPointGrids, buildPointGrid, generateCropBoxes, type CropBoxXyxy, type CropBoxes } from './crop-boxes';
export { amgStabilityScore, isBoxNearCropEdge, passesPredIou, passesStability, thresholdLogitsInto } from './mask-scoring';
export { boxIouXyxy, boxNms } from './box-nms';
export { removeSmallRegions, type SmallRegionMode } from './remove-small-regions';
export { type AmgCandidate, type AmgRunStats, type AmgDropCounts } from './amg-process-crop';
export { crossCropNms, postprocessSmallRegions } from './amg-postprocess';
export { candidateToRecord, type AmgRecord, type AmgSegmentation } from './amg-records';
export { buildSa1bImageJson, type Sa1bAnnotationJson, type Sa1bImageInput, type Sa1bImageJson } from './sa1b-image-json';
export {
  AMG_DEFAULT_MAX_LOGITS_BYTES_PER_CALL,
  SamAutomaticMaskGenerator,
  type AmgResult,
  type AmgRunOptions,
  type AmgRuntimeOptions,
} from './sam-automatic-mask-generator';
export { PredictorAmgModel, type PredictorAmgTimings } from './predictor-amg-model';
