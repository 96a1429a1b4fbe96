// COCO instances files for import tests: many small polygon annotations on one image — the shape of
// a dense annotation export from another tool (100,000 annotations ≈ 15.6 MB). Deterministic.

export interface ManyAnnotationCocoOptions {
  annotations: number;
  /** The project image the annotations belong to (matched by file name). */
  fileName: string;
  width: number;
  height: number;
}

const SIDES = [3, 4, 5, 6, 7, 8, 9, 10];

/** One small rectangle per annotation, walking the image on a grid with varying sizes. */
export function manyAnnotationCoco(options: ManyAnnotationCocoOptions): Buffer {
  const { width, height } = options;
  const cols = Math.max(1, Math.floor((width - 12) / 12));
  const rows = Math.max(1, Math.floor((height - 12) / 12));
  const parts: string[] = [];
  parts.push(
    `{"info":{"description":"dense synthetic annotations","version":"1.0"},"licenses":[],"categories":[{"id":1,"name":"object","supercategory":"object"}],` +
      `"images":[{"id":1,"file_name":${JSON.stringify(options.fileName)},"width":${width},"height":${height}}],"annotations":[`,
  );
  for (let i = 0; i < options.annotations; i++) {
    const cell = i % (cols * rows);
    const layer = Math.floor(i / (cols * rows));
    const side = SIDES[(i + layer) % SIDES.length]!;
    const x0 = 2 + (cell % cols) * 12 + (layer % 3) + 0.5;
    const y0 = 2 + Math.floor(cell / cols) * 12 + ((layer >> 1) % 2) + 0.5;
    const x1 = x0 + side;
    const y1 = y0 + side;
    parts.push(
      `${i ? ',' : ''}{"id":${i + 1},"image_id":1,"category_id":1,"segmentation":[[${x0},${y0},${x1},${y0},${x1},${y1},${x0},${y1}]],` +
        `"area":${side * side},"bbox":[${x0},${y0},${side},${side}],"iscrowd":0}`,
    );
  }
  parts.push(']}');
  return Buffer.from(parts.join(''), 'utf8');
}
