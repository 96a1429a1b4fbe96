import { describe, expect, it } from 'vitest';
import { createLabelInputSchema, LABEL_PALETTE, labelColorSchema, labelKey, labelNameSchema, nextLabelColor, normalizeColor } from './labels';

describe('label names', () => {
  it('are trimmed and NFC-normalised, 1–64 characters, without control characters', () => {
    expect(labelNameSchema.parse('  traffic light ')).toBe('traffic light');
    expect(labelNameSchema.parse('Cafe\u0301')).toBe('Café'); // combining accent → one code point
    expect(labelNameSchema.safeParse('   ').error?.issues[0]?.message).toBe('a label needs a name');
    expect(labelNameSchema.safeParse('x'.repeat(65)).error?.issues[0]?.message).toMatch(/at most 64 characters/);
    expect(labelNameSchema.safeParse('a\tb').error?.issues[0]?.message).toMatch(/control characters/);
    expect(labelNameSchema.safeParse('a\u0000b').success).toBe(false);
    expect(labelNameSchema.parse('自転車')).toBe('自転車');
  });

  it('are unique by a key that ignores case and surrounding spaces', () => {
    expect(labelKey(' Car ')).toBe(labelKey('car'));
    expect(labelKey('Café')).toBe(labelKey('cafe\u0301'.toUpperCase()));
    expect(labelKey('car')).not.toBe(labelKey('cars'));
  });
});

describe('label colours', () => {
  it('are #rrggbb, stored lower-case; #rgb is widened', () => {
    expect(labelColorSchema.parse('#E6194B')).toBe('#e6194b');
    expect(labelColorSchema.parse(' #0f0 ')).toBe('#00ff00');
    expect(normalizeColor('#ABC')).toBe('#aabbcc');
    for (const bad of ['red', '#12345', '#1234567', 'e6194b', '#ggg000']) expect(labelColorSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('of new labels come from the palette, the first one not used yet', () => {
    expect(nextLabelColor([])).toBe(LABEL_PALETTE[0]);
    expect(nextLabelColor([LABEL_PALETTE[0], '#123456'])).toBe(LABEL_PALETTE[1]);
    expect(nextLabelColor([LABEL_PALETTE[1].toUpperCase()])).toBe(LABEL_PALETTE[0]);
    expect(nextLabelColor([...LABEL_PALETTE])).toBe(LABEL_PALETTE[0]); // all taken: by turn
    expect(new Set(LABEL_PALETTE).size).toBe(LABEL_PALETTE.length);
  });

  it('a create request without a colour leaves it to the palette', () => {
    expect(createLabelInputSchema.parse({ projectId: '00000000-0000-4000-8000-000000000000', name: 'car' })).toEqual({ projectId: '00000000-0000-4000-8000-000000000000', name: 'car' });
  });
});
