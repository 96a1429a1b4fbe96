export * from './sam-constants';
export { BundleError, InferenceError, PromptError } from './segment-errors';
export { decoderCropSize, resizeLongestSide, transformCoords, type ResizeGeometry } from './resize-geometry';
export { resampleCoefficients, resizeBilinearAntialias, type ResampleCoefficients, type RgbImage } from './image-resize';
export { assertRgbImage, preprocessImage, SAM_PREPROCESS, type PreprocessConfig, type PreprocessedImage } from './preprocess-image';
export type { BoxXyxy, ImageEmbedding, SamPoint, SamPrompt } from './prompt.types';
export { assertBox, assertPrompt, buildDecoderFeeds, type DecoderFeeds, type DecoderInputName } from './decoder-feeds';
export { maskChannel, selectMaskChannels, SINGLE_MASK_RULES, type DecoderOutputs, type MaskChannel, type SingleMaskRule } from './output-select';
export { binarizeLogits, stabilityScore, summarizeLogits, type LogitMaskSummary } from './mask-postprocess';
export { summarizeLowResChannel } from './low-res-mask';
export { isInteractiveDecoderRole, tensorSize, type FloatTensor, type InferenceBackend, type InteractiveDecoderRole, type ModelRole, type TensorFeeds } from './inference-backend.types';
export { decoderOutputs, SAM_PIPELINE, SamPredictor, type DecodeOptions, type DecodeResult, type PredictedMask, type PredictorOptions, type SamPipelineConfig } from './sam-predictor';
export { maskAnnotation, type MaskAnnotation } from './mask-record';
export { tensorFromNpy, tensorToNpy } from './npy-embedding';
export { resizeBilinearHalfPixel, upscaleLowResLogits } from './mask-upscale';
export {
  cropMask,
  FOCUS_MAX_FRAME_AREA,
  FOCUS_MIN_GAIN,
  FOCUS_MIN_SIDE,
  focusGain,
  focusRegion,
  focusSuits,
  pasteMask,
  promptsInside,
  regionAtFullSize,
  sameRegion,
  touchesRegionEdge,
  zoomWindow,
  type FocusRegion,
  type MaskFrame,
} from './focus-region';
