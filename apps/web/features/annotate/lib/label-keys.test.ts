import { describe, expect, it } from 'vitest';
import { memoryStore } from './draft-store';
import { commandForKey } from './keymap';
import { labelKeyPick, labelRgb, rememberedLabel, rememberLabel } from './label-keys';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('label keys', () => {
  it('1–9 pick the first nine labels, 0 none; nothing else is a label key', () => {
    expect(['1', '2', '9'].map((k) => labelKeyPick(key(k)))).toEqual([0, 1, 8]);
    expect(labelKeyPick(key('0'))).toBe('none');
    for (const k of ['a', '!', 'Enter', 'F1']) expect(labelKeyPick(key(k)), k).toBeNull();
    expect(labelKeyPick(key('1', { ctrlKey: true }))).toBeNull();
    expect(labelKeyPick(key('1', { altKey: true }))).toBeNull();
  });

  it('no tool command uses a digit', () => {
    for (let d = 0; d <= 9; d++) expect(commandForKey(key(String(d))), String(d)).toBeNull();
  });
});

describe('the remembered label', () => {
  const labels = [{ id: 'a' }, { id: 'b' }];
  it('is the one last picked in the project, else the first; "none" is remembered too', () => {
    const store = memoryStore();
    expect(rememberedLabel(store, 'p1', labels)).toBe('a');
    rememberLabel(store, 'p1', 'b');
    expect(rememberedLabel(store, 'p1', labels)).toBe('b');
    expect(rememberedLabel(store, 'p2', labels)).toBe('a'); // per project
    rememberLabel(store, 'p1', null);
    expect(rememberedLabel(store, 'p1', labels)).toBeNull();
  });

  it('falls back to the first label when the remembered one was deleted; a project without labels has none', () => {
    const store = memoryStore();
    rememberLabel(store, 'p1', 'gone');
    expect(rememberedLabel(store, 'p1', labels)).toBe('a');
    expect(rememberedLabel(store, 'p1', [])).toBeNull();
  });

  it('reads label colours for the overlay', () => {
    expect(labelRgb('#e6194b')).toEqual([230, 25, 75]);
    expect(labelRgb('red')).toBeNull();
  });
});
