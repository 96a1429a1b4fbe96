// Labels in the annotator tool: number keys pick them (1–9 the first nine of the project's set, 0
// none), and the label last picked in a project is remembered in the browser for the next masks
// and the next visit. Pure: the storage is injected.
import { LABEL_KEYS } from '@dataengine/contracts';
import type { KeyLike } from './keymap';
import type { KeyValueStore } from './draft-store';

/** The rows the help overlay adds when the project has labels. */
export const LABEL_SHORTCUTS: { keys: string; what: string }[] = [
  { keys: `1 – ${LABEL_KEYS}`, what: 'pick the label of new masks (and of the selected mask); the tool remembers it' },
  { keys: '0', what: 'no label' },
];

/** What a key picks: a label by its place in the set (0-based), `none`, or null when it is no label key. */
export function labelKeyPick(e: KeyLike): number | 'none' | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return null;
  if (e.key === '0') return 'none';
  const digit = e.key.charCodeAt(0) - 48;
  return digit >= 1 && digit <= LABEL_KEYS ? digit - 1 : null;
}

const storeKey = (projectId: string) => `dataengine.annotate.label.${projectId}`;
const NONE = 'none';

/**
 * The label new masks get: the one last picked in this project while it still exists, `null` when
 * "no label" was picked, else the set's first label. A project without labels: always null.
 */
export function rememberedLabel(store: KeyValueStore, projectId: string, labels: readonly { id: string }[]): string | null {
  if (labels.length === 0) return null;
  const stored = store.getItem(storeKey(projectId));
  if (stored === NONE) return null;
  return labels.find((l) => l.id === stored)?.id ?? labels[0]!.id;
}

export function rememberLabel(store: KeyValueStore, projectId: string, labelId: string | null): void {
  store.setItem(storeKey(projectId), labelId ?? NONE);
}

/** `#rrggbb` → [r, g, b] for the overlay (a malformed colour: null, and the mask keeps its list colour). */
export function labelRgb(color: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : null;
}
