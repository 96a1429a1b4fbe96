// The labels an import gives its masks: COCO's category_id through the file's categories, SA-1B's
// `label` name (with our export's sidecar listing the set in order, with colours). Labels are matched
// to the project's by name and the missing ones created — all of the file's at once, when the first
// annotation of a matched image needs one, so a file whose images match nothing adds no labels.
import { AppError, labelKey, labelNameSchema } from '@dataengine/contracts';
import type { EngineDeps } from '../engine-deps';
import { ensureLabels } from '../labels/labels';
import { categoryLabelOf, type ImportCategories, type WantedLabel } from './coco-categories';

export interface ImportLabels {
  /** The label id an annotation carries (null: unlabelled); an AppError for a label the file does not define. */
  of(annotation: Record<string, unknown>): Promise<string | null>;
  /** Adds the file's declared labels that no imported mask needed (a round trip keeps the whole set). */
  settle(): Promise<void>;
}

/** Labels from a source of wanted labels: the file's declared set is created first, further names as they come. */
class LabelSource implements ImportLabels {
  private ids: Map<string, string> | null = null;

  constructor(
    private readonly deps: EngineDeps,
    private readonly projectId: string,
    /** the names of the labels the import added to the project, in order (the run's result) */
    private readonly created: string[],
    private readonly declared: readonly WantedLabel[],
    private readonly wantedOf: (annotation: Record<string, unknown>) => WantedLabel | null,
  ) {}

  async of(annotation: Record<string, unknown>): Promise<string | null> {
    const wanted = this.wantedOf(annotation);
    if (!wanted) return null;
    const key = labelKey(wanted.name);
    if (!this.ids || !this.ids.has(key)) await this.ensure(this.ids ? [wanted] : [...this.declared, wanted]);
    return this.ids!.get(key)!;
  }

  async settle(): Promise<void> {
    if (!this.ids && this.declared.length > 0) await this.ensure(this.declared);
  }

  private async ensure(wanted: readonly WantedLabel[]): Promise<void> {
    const { ids, created } = await ensureLabels(this.deps.db, this.projectId, wanted);
    this.ids = ids;
    this.created.push(...created);
  }
}

/** COCO: category_id → the file's categories → the project's labels. */
export function cocoImportLabels(deps: EngineDeps, projectId: string, created: string[], categories: ImportCategories): ImportLabels {
  return new LabelSource(deps, projectId, created, categories.labels, (annotation) => categoryLabelOf(categories, annotation));
}

/** SA-1B: each annotation's `label` (a name, or null); `declared` is our sidecar's label set, in order. */
export function sa1bImportLabels(deps: EngineDeps, projectId: string, created: string[], declared: readonly WantedLabel[]): ImportLabels {
  const byKey = new Map(declared.map((d) => [labelKey(d.name), d]));
  return new LabelSource(deps, projectId, created, declared, (annotation) => {
    const label = annotation['label'];
    if (label === undefined || label === null) return null;
    if (typeof label !== 'string') throw new AppError('BAD_REQUEST', 'its "label" is neither a name nor null');
    const name = labelNameSchema.safeParse(label);
    if (!name.success) throw new AppError('BAD_REQUEST', `its label ${JSON.stringify(label.slice(0, 80))} cannot be a label name: ${name.error.issues[0]?.message ?? 'invalid'}`);
    return byKey.get(labelKey(name.data)) ?? { name: name.data, color: null };
  });
}

/** Until the file's labels are known: every mask unlabelled. */
export const NO_IMPORT_LABELS: ImportLabels = { of: () => Promise.resolve(null), settle: () => Promise.resolve() };
