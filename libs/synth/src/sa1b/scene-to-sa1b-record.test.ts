import { decodeRle, parseCompressedRle, rleArea, rleToBboxSam } from '@dataengine/segment';
import { describe, expect, it } from 'vitest';
import { generateScene } from '../scene/generate-scene';
import { sceneToSa1bRecord, sceneToSceneTree } from './scene-to-sa1b-record';

describe('sceneToSa1bRecord', () => {
  const scenes = Array.from({ length: 8 }, (_, seed) => generateScene({ seed, width: 200, height: 150 }));

  it('produces the SA-1B §5.1 shape with keys in order', () => {
    const scene = scenes[0]!;
    const record = sceneToSa1bRecord(scene, { imageId: 7, fileName: 'sa_7.jpg' });
    expect(Object.keys(record)).toEqual(['image', 'annotations']);
    expect(record.image).toEqual({ image_id: 7, width: 200, height: 150, file_name: 'sa_7.jpg' });
    expect(record.annotations).toHaveLength(scene.instances.length);
    const ann = record.annotations[0]!;
    expect(Object.keys(ann)).toEqual([
      'id',
      'segmentation',
      'bbox',
      'area',
      'predicted_iou',
      'stability_score',
      'crop_box',
      'point_coords',
    ]);
    expect(ann.predicted_iou).toBe(1);
    expect(ann.stability_score).toBe(1);
    expect(ann.crop_box).toEqual([0, 0, 200, 150]);
    expect(ann.segmentation.size).toEqual([150, 200]);
  });

  it('round-trips every instance through JSON and COCO RLE; area, bbox and point agree with the mask', () => {
    for (const scene of scenes) {
      const record = JSON.parse(JSON.stringify(sceneToSa1bRecord(scene, { imageId: 1, fileName: 'x.jpg' }))) as ReturnType<
        typeof sceneToSa1bRecord
      >;
      record.annotations.forEach((ann, i) => {
        const inst = scene.instances[i]!;
        const rle = parseCompressedRle(ann.segmentation);
        const decoded = decodeRle(rle);
        expect(decoded.height).toBe(scene.height);
        expect(decoded.width).toBe(scene.width);
        expect(Buffer.from(decoded.data).equals(Buffer.from(inst.mask.data))).toBe(true);
        expect(ann.area).toBe(inst.area);
        expect(rleArea(rle)).toBe(inst.area);
        expect(ann.bbox).toEqual(inst.bbox);
        expect(rleToBboxSam(rle)).toEqual(inst.bbox);
        const [x, y] = ann.point_coords[0]!;
        expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
        expect(inst.mask.data[y * scene.width + x]).toBe(1);
      });
    }
  });

  it('offsets annotation ids and keeps the hierarchy in the tree sidecar only', () => {
    const scene = scenes.find((s) => s.instances.some((i) => i.level === 'subpart'))!;
    const record = sceneToSa1bRecord(scene, { imageId: 3, fileName: 'sa_3.jpg', annotationIdOffset: 1000 });
    const tree = sceneToSceneTree(scene, { imageId: 3, annotationIdOffset: 1000 });
    expect(record.annotations.map((a) => a.id)).toEqual(scene.instances.map((i) => 1000 + i.id));
    expect(JSON.stringify(record)).not.toMatch(/parent|level|subpart/);
    expect(tree.image_id).toBe(3);
    expect(tree.annotations.map((n) => n.id)).toEqual(record.annotations.map((a) => a.id));
    const ids = new Set(tree.annotations.map((n) => n.id));
    for (const node of tree.annotations) {
      if (node.parent_id === null) expect(node.level).toBe('whole');
      else expect(ids.has(node.parent_id)).toBe(true);
    }
    expect(tree.annotations.some((n) => n.level === 'subpart')).toBe(true);
  });
});
