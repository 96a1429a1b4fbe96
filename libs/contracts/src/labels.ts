// Labels (classes): a project's label set, in the order the annotator tool shows it. A project with
// no labels is class-agnostic — its masks carry no label, as SA-1B's do. Shared by the API's
// schemas, the engine's checks and the web UI's editor, so a name or colour is judged the same
// everywhere.
import { z } from 'zod';

/** Labels one project may have (keys 1–9 pick the first nine; the picker shows all). */
export const MAX_LABELS_PER_PROJECT = 1_000;
export const MAX_LABEL_NAME_LENGTH = 64;
/** Labels the tool's number keys reach: 1–9 pick the first nine of the set. */
export const LABEL_KEYS = 9;

/** Distinct colours handed to new labels in turn (a manager can change them). */
export const LABEL_PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324', '#800000', '#aaffc3', '#808000', '#000075'] as const;

const CONTROL = /[\u0000-\u001f\u007f]/;

export const labelNameSchema = z
  .string()
  .transform((name) => name.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'a label needs a name')
      .max(MAX_LABEL_NAME_LENGTH, `a label's name has at most ${MAX_LABEL_NAME_LENGTH} characters`)
      .refine((name) => !CONTROL.test(name), 'a label name cannot hold control characters (tabs, line breaks)'),
  );

/** `#rrggbb` (stored lower-case; `#RGB` is widened). */
export const labelColorSchema = z
  .string()
  .trim()
  .regex(/^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$/, 'a colour is written #rrggbb, e.g. #e6194b')
  .transform(normalizeColor);

export function normalizeColor(color: string): string {
  const hex = color.trim().toLowerCase().slice(1);
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/** The key a name is unique by within its project: trimmed, NFC, case-folded ("Car" and "car " are one label). */
export function labelKey(name: string): string {
  return name.normalize('NFC').trim().toLowerCase();
}

/** The first palette colour the set does not use yet (after all sixteen: by turn). */
export function nextLabelColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  return LABEL_PALETTE.find((c) => !taken.has(c)) ?? LABEL_PALETTE[used.length % LABEL_PALETTE.length]!;
}

export const labelSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string().uuid(),
  name: z.string(),
  color: z.string(),
  /** 0-based place in the set; key `position + 1` picks it in the tool (first nine) */
  position: z.number().int(),
  /** masks carrying the label (not deleted); only when asked for (`withCounts`) */
  maskCount: z.number().int().nullable(),
});
export type LabelDto = z.infer<typeof labelSchema>;

/** How a mask shows its label (null: unlabelled). */
export const maskLabelSchema = z.object({ id: z.string().uuid(), name: z.string(), color: z.string() });

export const createLabelInputSchema = z.object({
  projectId: z.string().uuid(),
  name: labelNameSchema,
  /** omitted: the next unused palette colour */
  color: labelColorSchema.optional(),
});

export const updateLabelInputSchema = z.object({
  labelId: z.string().uuid(),
  name: labelNameSchema.optional(),
  color: labelColorSchema.optional(),
});

export const reorderLabelsInputSchema = z.object({
  projectId: z.string().uuid(),
  /** every label of the project, once each, in the new order */
  labelIds: z.array(z.string().uuid()).max(MAX_LABELS_PER_PROJECT),
});

export const deleteLabelInputSchema = z.object({
  labelId: z.string().uuid(),
  /**
   * What happens to masks carrying the label. Omitted: refused (409, with the count) while any
   * mask carries it — nobody loses work by accident. `{ labelId: null }`: they become unlabelled;
   * `{ labelId }`: they move to that label of the same project.
   */
  masksTo: z.object({ labelId: z.string().uuid().nullable() }).optional(),
});
