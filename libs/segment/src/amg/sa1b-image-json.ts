import { encodeMask } from '../rle/rle-encode';
import { rleToString } from '../rle/rle-string';
import type { BboxXywh, CompressedRle } from '../rle/rle.types';
import type { Sa1bAnnotation, Sa1bImageJson } from '../sa1b/sa1b.types';
import type { AmgRecord } from './amg-records';

export type { Sa1bImageJson, Sa1bAnnotation as Sa1bAnnotationJson } from '../sa1b/sa1b.types';

export interface Sa1bImageInput {
  imageId: number;
  width: number;
  height: number;
  /** Defaults to `sa_<imageId>.jpg`. */
  fileName?: string;
}

/**
 * Builds `sa_<id>.json` from AMG records (any output mode; segmentations are converted to COCO
 * compressed strings). SA-1B adds the `id` field AMG does not produce: annotation ids are
 * `firstAnnotationId, firstAnnotationId + 1, …` in record order unless `ids` is given. Keys are in
 * the SA-1B order of §5.1. Throws when a record's mask size differs from the image.
 */
export function buildSa1bImageJson(
  image: Sa1bImageInput,
  records: readonly AmgRecord[],
  ids: { firstAnnotationId?: number; annotationIds?: readonly number[] } = {},
): Sa1bImageJson {
  const first = ids.firstAnnotationId ?? 1;
  if (ids.annotationIds !== undefined && ids.annotationIds.length !== records.length) {
    throw new RangeError(`buildSa1bImageJson: ${ids.annotationIds.length} annotation ids for ${records.length} records`);
  }
  const annotations = records.map((r, i): Sa1bAnnotation => {
    const segmentation = toCompressed(r.segmentation);
    const [h, w] = segmentation.size;
    if (h !== image.height || w !== image.width) {
      throw new RangeError(`buildSa1bImageJson: record ${i} has a ${h}x${w} mask but the image is ${image.height}x${image.width}`);
    }
    return {
      id: ids.annotationIds?.[i] ?? first + i,
      segmentation,
      bbox: r.bbox,
      area: r.area,
      predicted_iou: r.predicted_iou,
      stability_score: r.stability_score,
      crop_box: r.crop_box,
      point_coords: r.point_coords,
    };
  });
  return {
    image: { image_id: image.imageId, width: image.width, height: image.height, file_name: image.fileName ?? `sa_${image.imageId}.jpg` },
    annotations,
  };
}

function toCompressed(s: AmgRecord['segmentation']): CompressedRle {
  if ('data' in s) {
    const rle = encodeMask(s);
    return { size: rle.size, counts: rleToString(rle.counts) };
  }
  if (typeof s.counts === 'string') return { size: [s.size[0], s.size[1]], counts: s.counts };
  return { size: [s.size[0], s.size[1]], counts: rleToString(s.counts) };
}
