// Writes a COCO instances JSON image by image to a file, so a project of any size is never held in
// memory. Categories are the project's labels (coco-categories.ts; a class-agnostic project has the
// one category "object"). Annotation ids are our mask ids; `bbox` follows COCO (pycocotools toBbox:
// width = x_max − x_min + 1), unlike SA-1B's SAM convention.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rleToBboxCoco } from '@dataengine/segment';
import type { EngineDeps } from '../engine-deps';
import { maskAnnotationFields, type Provenance } from './annotation-fields';
import type { ExportCategories } from './coco-categories';
import { rleToCocoPolygons } from './coco-segmentation';
import type { ExportImage } from './export-images';

export interface CocoWriteInput {
  path: string;
  images: readonly ExportImage[];
  variant: 'rle' | 'polygon';
  polygonTolerance: number;
  provenance?: Provenance[];
  categories: ExportCategories;
  info: Record<string, unknown>;
  /** called before each image's masks are written (progress, cancel) */
  beforeImage: (index: number) => Promise<void>;
}

export interface CocoWriteSummary {
  images: number;
  annotations: number;
  byProvenance: Record<Provenance, number>;
  /** polygon variant: masks whose holes only our `segmentation_holes` field carries */
  masksWithHoles?: number;
}

export async function writeCocoJson(deps: EngineDeps, input: CocoWriteInput): Promise<CocoWriteSummary> {
  const file = createWriteStream(input.path);
  const write = async (text: string) => {
    if (!file.write(text)) await once(file, 'drain');
  };
  const summary: CocoWriteSummary = { images: input.images.length, annotations: 0, byProvenance: { manual: 0, prefill: 0, auto: 0 }, ...(input.variant === 'polygon' ? { masksWithHoles: 0 } : {}) };
  try {
    await write(`{"info":${JSON.stringify(input.info)},"licenses":[],"categories":${JSON.stringify(input.categories.categories)},"images":[`);
    for (let i = 0; i < input.images.length; i++) {
      const image = input.images[i]!;
      const entry = { id: image.id, file_name: image.exportName, width: image.width, height: image.height, sha256: image.contentHash };
      await write((i ? ',' : '') + JSON.stringify(entry));
    }
    await write('],"annotations":[');
    let first = true;
    for (let i = 0; i < input.images.length; i++) {
      await input.beforeImage(i);
      const image = input.images[i]!;
      const masks = await deps.db.mask.findMany({
        where: { imageId: image.id, deletedAt: null, ...(input.provenance ? { provenance: { in: input.provenance } } : {}) },
        orderBy: { id: 'asc' },
      });
      for (const row of masks) {
        const rle = { size: [row.rleHeight, row.rleWidth] as [number, number], counts: row.rleCounts };
        let segmentation: unknown = rle;
        let holes: number[][] | undefined;
        if (input.variant === 'polygon') {
          let polygons = rleToCocoPolygons(rle, input.polygonTolerance);
          // a tiny mask can simplify away entirely; keep it exact rather than lose it
          if (polygons.outer.length === 0) polygons = rleToCocoPolygons(rle, 0);
          segmentation = polygons.outer;
          holes = polygons.holes;
          if (holes.length > 0) summary.masksWithHoles! += 1;
        }
        const annotation = {
          id: Number(row.id),
          image_id: image.id,
          category_id: input.categories.categoryIdOf(row.labelId),
          segmentation,
          ...(holes ? { segmentation_holes: holes } : {}),
          area: row.area,
          bbox: rleToBboxCoco(rle),
          iscrowd: 0,
          ...maskAnnotationFields(row),
        };
        await write((first ? '' : ',') + JSON.stringify(annotation));
        first = false;
        summary.annotations += 1;
        summary.byProvenance[row.provenance] += 1;
      }
    }
    await write(']}\n');
    file.end();
    await once(file, 'finish');
    return summary;
  } catch (error) {
    file.destroy();
    throw error;
  }
}
