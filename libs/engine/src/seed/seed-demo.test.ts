import { describe, expect, it } from 'vitest';
import { demoSceneOptions, DEMO_SEED } from './seed-demo';

describe('demoSceneOptions', () => {
  it('finds the scene a demo image was drawn from by its project and file name', () => {
    expect(demoSceneOptions(DEMO_SEED, 'synthetic-scenes', 'scene-0001.jpg')).toEqual({ seed: 1, width: 640, height: 480 });
    expect(demoSceneOptions(DEMO_SEED, 'synthetic-scenes', 'scene-0024.jpg')).toEqual({ seed: 24, width: 640, height: 480 });
    expect(demoSceneOptions({ seed: 7, width: 480, height: 360 }, 'restricted-survey', 'scene-0003.jpg')).toEqual({ seed: 10_009, width: 480, height: 360 });
  });

  it('is null for images the demo seed did not make', () => {
    expect(demoSceneOptions(DEMO_SEED, 'synthetic-scenes', 'holiday.jpg')).toBeNull();
    expect(demoSceneOptions(DEMO_SEED, 'someone-elses', 'scene-0001.jpg')).toBeNull();
  });
});
