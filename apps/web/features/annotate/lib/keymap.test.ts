import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS } from './keymap';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods });

describe('keymap', () => {
  it('maps the documented keys', () => {
    expect(commandForKey(key('Enter'))).toBe('accept');
    expect(commandForKey(key('A'))).toBe('accept');
    expect(commandForKey(key('Escape'))).toBe('clear');
    expect(commandForKey(key('Tab'))).toBe('cycle');
    expect(commandForKey(key('z', { ctrlKey: true }))).toBe('undo');
    expect(commandForKey(key('Z', { metaKey: true }))).toBe('undo');
    expect(commandForKey({ ...key('Z', { ctrlKey: true }), shiftKey: true })).toBe('redo');
    expect(commandForKey(key('y', { ctrlKey: true }))).toBe('redo');
    expect(commandForKey(key('Delete'))).toBe('delete');
    expect(commandForKey(key('s'))).toBe('submit');
    expect(commandForKey(key('['))).toBe('brush-smaller');
    expect(commandForKey(key(']'))).toBe('brush-larger');
    expect(commandForKey(key('?'))).toBe('help');
    expect(commandForKey(key('n'))).toBe('select-next');
    expect(commandForKey(key('P'))).toBe('select-previous');
    expect(commandForKey(key('x'))).toBe('skip-image');
    expect(commandForKey({ ...key('P'), shiftKey: true })).toBe('previous-image');
  });

  it('leaves browser shortcuts and unknown keys alone', () => {
    expect(commandForKey(key('s', { ctrlKey: true }))).toBeNull();
    expect(commandForKey(key('a', { altKey: true }))).toBeNull();
    expect(commandForKey(key('q'))).toBeNull();
  });

  it('documents every command in the help table', () => {
    const documented = new Set(SHORTCUTS.map((s) => s.command));
    for (const c of ['accept', 'clear', 'cycle', 'undo', 'delete', 'submit', 'brush', 'eraser', 'brush-smaller', 'help', 'select-next', 'skip-image', 'previous-image'] as const) expect(documented.has(c), c).toBe(true);
  });
});
