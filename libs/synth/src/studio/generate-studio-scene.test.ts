import { describe, expect, it } from 'vitest';
import { ALL_SHAPE_FAMILIES, SHAPE_FAMILIES } from '../geometry/shape-families';
import { generateScene } from '../scene/generate-scene';
import { resolveSceneOptions } from '../scene/scene-options';
import { maskArea, maskBboxSam, sceneFingerprint } from '../scene/scene.test-helpers';
import type { Scene, SceneOptions } from '../scene/scene.types';
import { HIERARCHY_TEMPLATES } from '../scene/scene.types';
import { generateStudioScene } from './generate-studio-scene';

const W = 256;
const H = 192;
const studio = (seed: number, extra: Partial<SceneOptions> = {}): Scene =>
  generateScene({ seed, width: W, height: H, variant: 'studio', ...extra });

/** Union of the whole-level masks: 1 where some instance is visible. */
function covered(s: Scene): Uint8Array {
  const union = new Uint8Array(s.width * s.height);
  for (const inst of s.instances) if (inst.level === 'whole') for (let p = 0; p < union.length; p++) union[p]! |= inst.mask.data[p]!;
  return union;
}

function masksEqual(a: Scene, b: Scene): boolean {
  return (
    a.instances.length === b.instances.length &&
    a.instances.every((inst, i) => {
      const other = b.instances[i]!;
      return inst.kind === other.kind && inst.parentId === other.parentId && inst.mask.data.every((v, p) => v === other.mask.data[p]);
    })
  );
}

describe("generateScene variant 'studio'", () => {
  const scenes = Array.from({ length: 16 }, (_, seed) => studio(seed));

  it('is deterministic per seed, differs across seeds and from the classic scene of the same seed', () => {
    expect(sceneFingerprint(studio(42))).toBe(sceneFingerprint(studio(42)));
    expect(sceneFingerprint(studio(42))).not.toBe(sceneFingerprint(studio(43)));
    expect(sceneFingerprint(studio(42))).not.toBe(sceneFingerprint(generateScene({ seed: 42, width: W, height: H })));
  });

  it('every instance is non-empty (≥ minArea) with exact area and SAM bbox', () => {
    for (const s of scenes) {
      expect(s.rgb.length).toBe(W * H * 3);
      expect(s.instances.length).toBeGreaterThan(0);
      for (const inst of s.instances) {
        expect(inst.area).toBe(maskArea(inst.mask));
        expect(inst.area).toBeGreaterThanOrEqual(24);
        expect(inst.bbox).toEqual(maskBboxSam(inst.mask));
      }
    }
    const strict = studio(3, { minArea: 300 });
    for (const inst of strict.instances) expect(inst.area).toBeGreaterThanOrEqual(300);
  });

  it('wholes and siblings are disjoint after occlusion; a part lies inside its parent and is smaller', () => {
    for (const s of scenes) {
      const groups = new Map<number | null, Uint8Array>();
      s.instances.forEach((inst, i) => {
        expect(inst.id).toBe(i + 1);
        let owner = groups.get(inst.parentId);
        if (!owner) groups.set(inst.parentId, (owner = new Uint8Array(W * H)));
        for (let p = 0; p < owner.length; p++) {
          if (inst.mask.data[p] !== 1) continue;
          if (owner[p] === 1) throw new Error(`instance ${inst.id} (${inst.kind}) overlaps a sibling at pixel ${p}`);
          owner[p] = 1;
        }
        if (inst.parentId === null) {
          expect(inst.level).toBe('whole');
          return;
        }
        const parent = s.instances[inst.parentId - 1]!;
        expect(inst.level).not.toBe('whole');
        expect(inst.area).toBeLessThan(parent.area);
        for (let p = 0; p < inst.mask.data.length; p++) {
          if (inst.mask.data[p] === 1 && parent.mask.data[p] !== 1) throw new Error(`instance ${inst.id} pixel ${p} outside parent`);
        }
      });
    }
  });

  it('draws its own vocabulary, with whole / part / sub-part hierarchies', () => {
    const classicKinds = new Set<string>([...ALL_SHAPE_FAMILIES.flatMap((f) => [...SHAPE_FAMILIES[f]]), ...HIERARCHY_TEMPLATES]);
    const kinds = scenes.flatMap((s) => s.instances.map((i) => i.kind));
    expect(kinds.filter((k) => classicKinds.has(k))).toEqual([]);
    const wholes = new Set(scenes.flatMap((s) => s.instances.filter((i) => i.level === 'whole').map((i) => i.kind)));
    expect(wholes.size).toBeGreaterThanOrEqual(10);
    for (const k of ['cup', 'bottle', 'leaf', 'key', 'card', 'crescent']) expect(wholes).toContain(k);
    const levels = new Set(scenes.flatMap((s) => s.instances.map((i) => i.level)));
    expect([...levels].sort()).toEqual(['part', 'subpart', 'whole']);
    for (const [part, whole] of [['handle', 'cup'], ['cap', 'bottle'], ['stem', 'leaf']]) {
      const s = scenes.find((sc) => sc.instances.some((i) => i.kind === part && sc.instances[i.parentId! - 1]?.kind === whole));
      expect(s, `${part} of a ${whole}`).toBeDefined();
    }
  });

  it('is cluttered: more objects than classic, some cut by the frame', () => {
    const wholes = (s: Scene): number => s.instances.filter((i) => i.level === 'whole').length;
    const classic = Array.from({ length: 16 }, (_, seed) => generateScene({ seed, width: W, height: H }));
    const mean = (xs: Scene[]): number => xs.reduce((a, s) => a + wholes(s), 0) / xs.length;
    expect(mean(scenes)).toBeGreaterThan(1.5 * mean(classic));
    const cut = scenes.flatMap((s) => s.instances).filter((i) => {
      const [x, y, w, h] = i.bbox;
      return i.level === 'whole' && (x === 0 || y === 0 || x + w === W - 1 || y + h === H - 1);
    });
    expect(cut.length).toBeGreaterThan(scenes.length);
  });

  it('objects are shaded, not flat: luminance varies inside every large whole', () => {
    for (const s of scenes.slice(0, 6)) {
      for (const inst of s.instances.filter((i) => i.level === 'whole' && i.area > 400)) {
        let sum = 0;
        let sq = 0;
        for (let p = 0; p < inst.mask.data.length; p++) {
          if (inst.mask.data[p] !== 1) continue;
          const l = 0.3 * s.rgb[3 * p]! + 0.59 * s.rgb[3 * p + 1]! + 0.11 * s.rgb[3 * p + 2]!;
          sum += l;
          sq += l * l;
        }
        const std = Math.sqrt(sq / inst.area - (sum / inst.area) ** 2);
        expect(std, `seed ${scenes.indexOf(s)} ${inst.kind}`).toBeGreaterThan(3);
      }
    }
  });

  it('cast shadows only darken, reach pixels outside every mask, and never change a mask', () => {
    let shadowedBackground = 0;
    let brighter = 0;
    for (let seed = 0; seed < 4; seed++) {
      const o = resolveSceneOptions({ seed, width: W, height: H, variant: 'studio' });
      const lit = generateStudioScene(o);
      const flat = generateStudioScene(o, { shadows: false, defocus: true });
      expect(masksEqual(lit, flat)).toBe(true);
      expect(sceneFingerprint(lit)).toBe(sceneFingerprint(generateScene(o)));
      const union = covered(lit);
      for (let p = 0; p < W * H; p++) {
        for (let c = 0; c < 3; c++) if (lit.rgb[3 * p + c]! > flat.rgb[3 * p + c]!) brighter++;
        if (union[p] === 0 && flat.rgb[3 * p + 1]! - lit.rgb[3 * p + 1]! >= 10) shadowedBackground++;
      }
    }
    expect(brighter).toBe(0);
    expect(shadowedBackground).toBeGreaterThan(500);
  });

  it('defocus blurs pixels but masks stay the exact silhouettes', () => {
    let blurred = 0;
    for (let seed = 0; seed < 4; seed++) {
      const o = resolveSceneOptions({ seed, width: W, height: H, variant: 'studio' });
      const soft = generateStudioScene(o);
      const sharp = generateStudioScene(o, { shadows: true, defocus: false });
      expect(masksEqual(soft, sharp)).toBe(true);
      if (sceneFingerprint(soft) !== sceneFingerprint(sharp)) blurred++;
    }
    expect(blurred).toBeGreaterThan(0);
  });

  it('hierarchies: false keeps the same pixels and wholes, without parts', () => {
    const full = studio(7);
    const flat = studio(7, { hierarchies: false });
    expect(Buffer.from(flat.rgb).equals(Buffer.from(full.rgb))).toBe(true);
    expect(flat.instances.every((i) => i.level === 'whole' && i.parentId === null)).toBe(true);
    const wholeMasks = (s: Scene): string[] => s.instances.filter((i) => i.level === 'whole').map((i) => `${i.kind}:${i.bbox.join()}:${i.area}`);
    expect(wholeMasks(flat)).toEqual(wholeMasks(full));
  });

  it('honours objectCount and the plain backdrop', () => {
    const one = studio(11, { objectCount: [1, 1], hierarchies: false });
    expect(one.instances.length).toBeLessThanOrEqual(5); // a card fan is one object of up to 5 cards
    const plain = studio(11, { backgroundTexture: false, objectCount: [0, 0], pixelNoise: 0 });
    expect(plain.instances).toEqual([]);
  });

  it('generates a 512x384 studio scene well under 150 ms', () => {
    for (let seed = 100; seed < 103; seed++) generateScene({ seed, width: 512, height: 384, variant: 'studio' });
    const times: number[] = [];
    for (let seed = 1; seed <= 9; seed++) {
      const t = performance.now();
      generateScene({ seed, width: 512, height: 384, variant: 'studio' });
      times.push(performance.now() - t);
    }
    expect(times.sort((a, b) => a - b)[4]).toBeLessThan(150);
  });
});
