import { describe, expect, it } from 'vitest';
import { generateScene } from './generate-scene';
import type { Scene, SceneOptions } from './scene.types';
import { hasEnclosedHole, maskArea, maskBboxSam, sceneFingerprint } from './scene.test-helpers';

const W = 256;
const H = 192;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sceneBytesEqual(a: Scene, b: Scene): boolean {
  return (
    sameBytes(a.rgb, b.rgb) &&
    a.instances.length === b.instances.length &&
    a.instances.every((inst, i) => {
      const other = b.instances[i]!;
      return (
        inst.kind === other.kind &&
        inst.level === other.level &&
        inst.parentId === other.parentId &&
        inst.area === other.area &&
        inst.bbox.join() === other.bbox.join() &&
        sameBytes(inst.mask.data, other.mask.data)
      );
    })
  );
}

describe('generateScene determinism', () => {
  it('same options → identical pixels and masks; different seed → different', () => {
    const opts: SceneOptions = { seed: 42, width: W, height: H };
    const a = generateScene(opts);
    const b = generateScene({ ...opts });
    expect(sceneBytesEqual(a, b)).toBe(true);
    expect(sameBytes(a.rgb, generateScene({ ...opts, seed: 43 }).rgb)).toBe(false);
  });

  it('returns the requested frame', () => {
    const s = generateScene({ seed: 1, width: 33, height: 17 });
    expect([s.width, s.height, s.rgb.length]).toEqual([33, 17, 33 * 17 * 3]);
    for (const inst of s.instances) expect([inst.mask.width, inst.mask.height]).toEqual([33, 17]);
  });

  it("classic output is unchanged by the 'studio' variant: fingerprints recorded before it existed", () => {
    // recorded from the generator at 54eda2f, before `variant` was added
    const before: [seed: number, width: number, height: number, fingerprint: string][] = [
      [0, 512, 384, '0e678e31'],
      [1, 512, 384, '784c4b4b'],
      [7, 256, 192, '75c5872f'],
      [42, 256, 192, 'cf44b104'],
      [1234, 160, 120, 'c8c91200'],
      [99, 33, 17, '536b61a4'],
    ];
    for (const [seed, width, height, fingerprint] of before) {
      expect(sceneFingerprint(generateScene({ seed, width, height })), `seed ${seed}`).toBe(fingerprint);
      expect(sceneFingerprint(generateScene({ seed, width, height, variant: 'classic' })), `seed ${seed}`).toBe(fingerprint);
    }
    const opts: SceneOptions = { seed: 5, width: 256, height: 192, textures: ['solid'], hierarchyProbability: 1, pixelNoise: 0 };
    expect(sceneFingerprint(generateScene(opts))).toBe('b441221b');
  });

  it('rejects an unknown variant with a RangeError naming it and the known ones', () => {
    const bad = { seed: 1, width: 10, height: 10, variant: 'photo' as never };
    expect(() => generateScene(bad)).toThrow(RangeError);
    expect(() => generateScene(bad)).toThrow('unknown variant "photo"; known: classic, studio');
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => generateScene({ seed: 1, width: 0, height: 10 })).toThrow(/width must be an integer/);
    expect(() => generateScene({ seed: 1, width: 10, height: 10, objectCount: [5, 2] })).toThrow(/objectCount/);
    const families = ['nope' as never];
    expect(() => generateScene({ seed: 1, width: 10, height: 10, families })).toThrow(/unknown shape family "nope"/);
  });
});

describe('generateScene masks', () => {
  const scenes = Array.from({ length: 24 }, (_, seed) => generateScene({ seed, width: W, height: H }));

  it('every instance is non-empty with exact area and SAM bbox', () => {
    for (const s of scenes) {
      for (const inst of s.instances) {
        const area = maskArea(inst.mask);
        expect(area).toBeGreaterThanOrEqual(24);
        expect(inst.area).toBe(area);
        expect(inst.bbox).toEqual(maskBboxSam(inst.mask));
      }
    }
  });

  it('ids are 1..n; a part lies inside its parent and is strictly smaller; parents precede children', () => {
    for (const s of scenes) {
      s.instances.forEach((inst, i) => {
        expect(inst.id).toBe(i + 1);
        if (inst.parentId === null) {
          expect(inst.level).toBe('whole');
          return;
        }
        expect(inst.level).not.toBe('whole');
        expect(inst.parentId).toBeLessThan(inst.id);
        const parent = s.instances[inst.parentId - 1]!;
        for (let p = 0; p < inst.mask.data.length; p++) {
          if (inst.mask.data[p] === 1 && parent.mask.data[p] !== 1) {
            throw new Error(`instance ${inst.id} pixel ${p} outside parent ${parent.id}`);
          }
        }
        expect(inst.area).toBeLessThan(parent.area);
      });
    }
  });

  it('wholes do not overlap after occlusion, nor do siblings', () => {
    for (const s of scenes) {
      const groups = new Map<number | null, Uint8Array>();
      for (const inst of s.instances) {
        let owner = groups.get(inst.parentId);
        if (!owner) groups.set(inst.parentId, (owner = new Uint8Array(W * H)));
        for (let p = 0; p < owner.length; p++) {
          if (inst.mask.data[p] !== 1) continue;
          if (owner[p] === 1) throw new Error(`instance ${inst.id} overlaps a sibling at pixel ${p}`);
          owner[p] = 1;
        }
      }
    }
  });

  it('draws part hierarchies: some pixel is inside a sub-part, its part and its whole', () => {
    const levels = new Set(scenes.flatMap((s) => s.instances.map((i) => i.level)));
    expect([...levels].sort()).toEqual(['part', 'subpart', 'whole']);
    const s = scenes.find((sc) => sc.instances.some((i) => i.level === 'subpart'))!;
    const sub = s.instances.find((i) => i.level === 'subpart')!;
    const p = sub.mask.data.indexOf(1);
    const containing = s.instances.filter((i) => i.mask.data[p] === 1).map((i) => i.level);
    expect(containing.length).toBeGreaterThanOrEqual(2);
    expect(containing).toContain('whole');
  });

  it('masks are exact w.r.t. drawn pixels: with solid textures and no noise every leaf is one colour', () => {
    for (let seed = 0; seed < 8; seed++) {
      const s = generateScene({ seed, width: W, height: H, textures: ['solid'], pixelNoise: 0, minArea: 1 });
      const parents = new Set(s.instances.map((i) => i.parentId));
      for (const inst of s.instances) {
        if (parents.has(inst.id)) continue;
        const first = inst.mask.data.indexOf(1);
        const colour = s.rgb.subarray(first * 3, first * 3 + 3).join();
        for (let p = 0; p < inst.mask.data.length; p++) {
          if (inst.mask.data[p] === 1 && s.rgb.subarray(p * 3, p * 3 + 3).join() !== colour) {
            throw new Error(`seed ${seed} instance ${inst.id} (${inst.kind}) pixel ${p} not its colour`);
          }
        }
      }
    }
  });

  it('shapes with holes have holes (donut, frame, ring)', () => {
    let checked = 0;
    for (let seed = 0; seed < 80; seed++) {
      const s = generateScene({
        seed,
        width: W,
        height: H,
        families: seed % 3 === 0 ? ['thin'] : ['holed'],
        hierarchies: false,
        objectCount: [1, 1],
        sizeRange: [0.2, 0.35],
      });
      for (const inst of s.instances) {
        if (!['donut', 'frame', 'ring'].includes(inst.kind)) continue;
        const [x, y, w, h] = inst.bbox;
        if (x === 0 || y === 0 || x + w >= W - 1 || y + h >= H - 1) continue; // cut by the image edge
        expect(hasEnclosedHole(inst.mask, inst.bbox), `seed ${seed} ${inst.kind}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('honours the family filter and drops instances below minArea', () => {
    const s = generateScene({ seed: 5, width: W, height: H, families: ['star'], hierarchies: false, minArea: 200 });
    expect(s.instances.length).toBeGreaterThan(0);
    for (const inst of s.instances) {
      expect(inst.kind).toBe('star');
      expect(inst.area).toBeGreaterThanOrEqual(200);
    }
  });

  it('generates a 512x384 scene well under 100 ms', () => {
    generateScene({ seed: 0, width: 512, height: 384 });
    const times: number[] = [];
    for (let seed = 1; seed <= 9; seed++) {
      const t = performance.now();
      generateScene({ seed, width: 512, height: 384 });
      times.push(performance.now() - t);
    }
    expect(times.sort((a, b) => a - b)[4]).toBeLessThan(100);
  });
});
