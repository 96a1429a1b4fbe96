// Keyboard shortcuts of the annotator tool: one table drives both the key handler and the help overlay.

export type Command = 'accept' | 'clear' | 'cycle' | 'undo' | 'redo' | 'delete' | 'submit' | 'brush' | 'eraser' | 'prompt-tool' | 'brush-smaller' | 'brush-larger' | 'help' | 'fit' | 'select-next' | 'select-previous' | 'skip-image' | 'previous-image' | 'focus';

export interface KeyLike {
  key: string;
  shiftKey?: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export const SHORTCUTS: { keys: string; command: Command; what: string }[] = [
  { keys: 'Enter / A', command: 'accept', what: 'accept the mask (saved at once)' },
  { keys: 'Esc', command: 'clear', what: 'clear the current prompts' },
  { keys: 'Tab', command: 'cycle', what: 'next ambiguity candidate (one click or box)' },
  { keys: 'Ctrl+Z', command: 'undo', what: 'undo the last click, box or stroke' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', command: 'redo', what: 'redo' },
  { keys: 'Delete / Backspace', command: 'delete', what: 'delete the selected saved mask (e.g. a wrong pre-filled one)' },
  { keys: 'N / P', command: 'select-next', what: 'select the next / previous mask of the list to review or fix it (brush, or click to re-prompt from it)' },
  { keys: 'S', command: 'submit', what: 'submit the image and go to the next one (an image without masks asks "no objects here?" first)' },
  { keys: 'X', command: 'skip-image', what: 'skip the image, saying why (it goes to another annotator)' },
  { keys: 'Shift+P', command: 'previous-image', what: 're-open the image you submitted last (until it is reviewed)' },
  { keys: 'B', command: 'brush', what: 'brush (paint onto the mask)' },
  { keys: 'E', command: 'eraser', what: 'eraser' },
  { keys: 'V', command: 'prompt-tool', what: 'back to clicks and boxes' },
  { keys: '[ / ]', command: 'brush-smaller', what: 'smaller / larger brush' },
  { keys: 'F', command: 'fit', what: 'fit the image to the window' },
  { keys: 'Z', command: 'focus', what: 'focus view on / off: zoomed in, the model looks at the part on screen at full detail (on by default)' },
  { keys: '?', command: 'help', what: 'show or hide this help' },
];

/** Mouse gestures, for the help overlay. */
export const GESTURES: { keys: string; what: string }[] = [
  { keys: 'Left click', what: 'positive point' },
  { keys: 'Right click / Alt+click', what: 'negative point' },
  { keys: 'Drag', what: 'box (or a brush stroke with the brush/eraser)' },
  { keys: 'Wheel', what: 'zoom at the cursor' },
  { keys: 'Space+drag / middle drag', what: 'pan' },
];

export function commandForKey(e: KeyLike): Command | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod) return key === 'z' ? (e.shiftKey ? 'redo' : 'undo') : key === 'y' ? 'redo' : null;
  if (e.altKey) return null;
  if (e.shiftKey && key === 'p') return 'previous-image';
  switch (key) {
    case 'Enter':
    case 'a':
      return 'accept';
    case 'Escape':
      return 'clear';
    case 'Tab':
      return 'cycle';
    case 'Delete':
    case 'Backspace':
      return 'delete';
    case 's':
      return 'submit';
    case 'b':
      return 'brush';
    case 'e':
      return 'eraser';
    case 'v':
      return 'prompt-tool';
    case '[':
      return 'brush-smaller';
    case ']':
      return 'brush-larger';
    case 'f':
      return 'fit';
    case 'z':
      return 'focus';
    case 'n':
      return 'select-next';
    case 'p':
      return 'select-previous';
    case 'x':
      return 'skip-image';
    case '?':
      return 'help';
    default:
      return null;
  }
}
