// COCO `categories` ↔ a project's labels. Pure: no database.
//
// Export: a class-agnostic project (no labels) writes the one category it always wrote,
// `{id: 1, name: "object", supercategory: "object"}`. A project with labels writes one category per
// label in the set's order (ids 1..n, the label's colour as an extra `color` field), and — only when
// some exported mask has no label — the same "object" category after them for those masks.
// Import: that exact category (name and supercategory "object", no colour) stands for unlabelled
// masks, so exports from before labels, and from class-agnostic projects, import unlabelled; every
// other category is a label, matched to the project's labels by name.
import { AppError, labelColorSchema, labelKey, labelNameSchema, MAX_LABELS_PER_PROJECT } from '@dataengine/contracts';

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
  /** our extra field: the label's colour, #rrggbb */
  color?: string;
}

/** The category of unlabelled masks (and of every mask of a class-agnostic project). */
export const UNLABELLED_CATEGORY_NAME = 'object';
export const COCO_CATEGORY: CocoCategory = { id: 1, name: UNLABELLED_CATEGORY_NAME, supercategory: 'object' };

export interface ExportCategories {
  categories: CocoCategory[];
  /** the category_id of a mask with this label (null: unlabelled) */
  categoryIdOf(labelId: string | null): number;
}

/** The categories of an export: the labels in order, plus "object" for unlabelled masks where there are any. */
export function exportCategories(labels: readonly { id: string; name: string; color: string }[], hasUnlabelled: boolean): ExportCategories {
  if (labels.length === 0) return { categories: [COCO_CATEGORY], categoryIdOf: () => COCO_CATEGORY.id };
  const ids = new Map(labels.map((label, i) => [label.id, i + 1]));
  const categories: CocoCategory[] = labels.map((label, i) => ({ id: i + 1, name: label.name, supercategory: '', color: label.color }));
  const unlabelledId = labels.length + 1;
  if (hasUnlabelled) categories.push({ ...COCO_CATEGORY, id: unlabelledId });
  return {
    categories,
    categoryIdOf: (labelId) => (labelId === null ? unlabelledId : (ids.get(labelId) ?? unlabelledId)),
  };
}

/** A label a file asks for: its name (valid as a label name) and colour, when the file gives one. */
export interface WantedLabel {
  name: string;
  color: string | null;
}

export interface ImportCategories {
  /** whether the file has a categories list at all (without one, every mask imports unlabelled) */
  present: boolean;
  /** category id (as a string) → the label it stands for, or null for unlabelled */
  byId: Map<string, WantedLabel | null>;
  /** the labels the file defines, in its order, once per name (case-insensitive) */
  labels: WantedLabel[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a COCO file's `categories` member (undefined: the file has none). A list that is not a list
 * of categories with an id and a name, or that lists one id twice, fails the file as a whole.
 */
export function readCocoCategories(raw: unknown): ImportCategories {
  if (raw === undefined || raw === null) return { present: false, byId: new Map(), labels: [] };
  if (!Array.isArray(raw)) throw new AppError('BAD_REQUEST', 'the COCO file\'s "categories" is not a list; each category needs an "id" and a "name"');
  const byId = new Map<string, WantedLabel | null>();
  const labels: WantedLabel[] = [];
  const seen = new Map<string, WantedLabel>();
  raw.forEach((entry: unknown, i: number) => {
    if (!isObject(entry) || (typeof entry['id'] !== 'number' && typeof entry['id'] !== 'string') || typeof entry['name'] !== 'string') {
      throw new AppError('BAD_REQUEST', `categories[${i}] of the COCO file needs an "id" and a "name"; nothing was imported`);
    }
    const id = String(entry['id']);
    if (byId.has(id)) throw new AppError('BAD_REQUEST', `the COCO file lists category id ${id} twice; category ids must be unique; nothing was imported`);
    if (isUnlabelledCategory(entry)) {
      byId.set(id, null);
      return;
    }
    const name = labelNameSchema.safeParse(entry['name']);
    if (!name.success) throw new AppError('BAD_REQUEST', `categories[${i}] of the COCO file cannot be a label: ${name.error.issues[0]?.message ?? 'invalid name'}; nothing was imported`);
    const color = labelColorSchema.safeParse(entry['color']);
    const key = labelKey(name.data);
    let wanted = seen.get(key);
    if (!wanted) {
      wanted = { name: name.data, color: color.success ? color.data : null };
      seen.set(key, wanted);
      labels.push(wanted);
    }
    byId.set(id, wanted);
  });
  if (labels.length > MAX_LABELS_PER_PROJECT) {
    throw new AppError('BAD_REQUEST', `the COCO file has ${labels.length} categories; a project has at most ${MAX_LABELS_PER_PROJECT} labels; nothing was imported`);
  }
  return { present: true, byId, labels };
}

/** The category exports write for unlabelled masks: name and supercategory "object", no colour. */
function isUnlabelledCategory(entry: Record<string, unknown>): boolean {
  return entry['name'] === UNLABELLED_CATEGORY_NAME && entry['supercategory'] === 'object' && entry['color'] === undefined;
}

/**
 * The label an annotation's `category_id` stands for: null for unlabelled (no categories in the
 * file, no category_id, or the "object" category). A category the file does not define is the
 * annotation's error.
 */
export function categoryLabelOf(categories: ImportCategories, annotation: Record<string, unknown>): WantedLabel | null {
  const categoryId = annotation['category_id'];
  if (!categories.present || categoryId === undefined || categoryId === null) return null;
  if (typeof categoryId !== 'number' && typeof categoryId !== 'string') throw new AppError('BAD_REQUEST', 'its category_id is neither a number nor a string');
  const wanted = categories.byId.get(String(categoryId));
  if (wanted === undefined) throw new AppError('BAD_REQUEST', `its category_id ${JSON.stringify(categoryId)} is not among the file's categories`);
  return wanted;
}
