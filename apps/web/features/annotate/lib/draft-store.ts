// Nothing is lost: the mask being made (its prompts and strokes) and every accepted-but-unsent
// change live in the browser's storage until the API confirmed them, so a reload, a lost network
// or an expired session costs no work. Storage is injected (localStorage in the app, a Map in tests).
import { compressedRleSchema, saveMaskInputSchema } from '@dataengine/contracts';
import { z } from 'zod';
import { draftMaskSchema } from './draft-mask';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const pointSchema = z.object({ x: z.number(), y: z.number(), label: z.number() });
const strokeSchema = z.object({ mode: z.enum(['paint', 'erase']), radius: z.number().positive(), points: z.array(z.tuple([z.number(), z.number()])) });

export const draftSchema = z.object({
  /** The clientKey the mask will be saved with (stable across reloads: a re-sent save is idempotent). */
  clientKey: z.string(),
  /** Set when the draft edits a saved mask (brush touch-up or re-prompting). */
  editing: z.object({ maskId: z.string(), version: z.number().int() }).nullable(),
  prompts: z.object({
    points: z.array(pointSchema),
    box: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
    strokes: z.array(strokeSchema),
  }),
  candidate: z.number().int().min(0).default(0),
  /** The decoded masks on screen (what a reload shows again, pixel for pixel); null while none is shown. */
  mask: draftMaskSchema.nullable().default(null),
  clicks: z.number().int().min(0),
  activeMs: z.number().min(0),
});
export type Draft = z.infer<typeof draftSchema>;

const entryState = z.enum(['pending', 'conflict', 'failed']);
const entryBase = { key: z.string(), imageId: z.number().int(), state: entryState, message: z.string().nullable() };

export const outboxEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('save'), ...entryBase, input: saveMaskInputSchema }),
  z.object({
    kind: z.literal('update'),
    ...entryBase,
    input: z.object({
      maskId: z.string(),
      version: z.number().int(),
      segmentation: compressedRleSchema,
      activeMs: z.number().int(),
      clicks: z.number().int(),
      pointCoords: z.array(z.tuple([z.number(), z.number()])).optional(),
    }),
  }),
  z.object({ kind: z.literal('delete'), ...entryBase, input: z.object({ maskId: z.string(), version: z.number().int() }) }),
  /** a saved mask's new label (null: none); keyed per mask, so the last pick replaces an unsent one */
  z.object({ kind: z.literal('label'), ...entryBase, input: z.object({ maskId: z.string(), labelId: z.string().nullable() }) }),
]);
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

const PREFIX = 'dataengine.annotate';
const draftKey = (imageId: number) => `${PREFIX}.draft.${imageId}`;
const OUTBOX_KEY = `${PREFIX}.outbox`;

function readJson<T>(store: KeyValueStore, key: string, schema: z.ZodType<T>): T | null {
  const raw = store.getItem(key);
  if (raw === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // unreadable JSON (written by an older version, or truncated): treat as absent
  }
}

export class DraftStore {
  constructor(private readonly store: KeyValueStore) {}

  loadDraft(imageId: number): Draft | null {
    return readJson(this.store, draftKey(imageId), draftSchema);
  }

  saveDraft(imageId: number, draft: Draft): void {
    this.store.setItem(draftKey(imageId), JSON.stringify(draft));
  }

  clearDraft(imageId: number): void {
    this.store.removeItem(draftKey(imageId));
  }

  outbox(): OutboxEntry[] {
    return readJson(this.store, OUTBOX_KEY, z.array(outboxEntrySchema)) ?? [];
  }

  /** Adds the entry, or replaces the one with the same key. */
  put(entry: OutboxEntry): OutboxEntry[] {
    const list = this.outbox().filter((e) => e.key !== entry.key);
    list.push(entry);
    this.store.setItem(OUTBOX_KEY, JSON.stringify(list));
    return list;
  }

  remove(key: string): OutboxEntry[] {
    const list = this.outbox().filter((e) => e.key !== key);
    this.store.setItem(OUTBOX_KEY, JSON.stringify(list));
    return list;
  }
}

/** An in-memory KeyValueStore (tests, and browsers where storage is unavailable). */
export function memoryStore(): KeyValueStore & { size(): number } {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    size: () => map.size,
  };
}
