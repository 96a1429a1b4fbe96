// The image's mask list as the annotator sees it: the server's masks with the outbox applied
// (unsent saves appear, unsent deletions disappear, unsent touch-ups show their new shape).
import type { LabelDto, MaskDto } from '@dataengine/contracts';
import type { OutboxEntry } from './draft-store';

type RowLabel = NonNullable<MaskDto['label']>;

/** How an unlabelled mask shows in a project that has labels: grey, "no label" — it stands out, waiting for a pick. */
export const NO_LABEL: RowLabel = { id: '', name: 'no label', color: '#8a94a3' };

export interface MaskRow {
  /** Server id, or the clientKey of an unsent save. */
  key: string;
  maskId: string | null;
  version: number | null;
  segmentation: MaskDto['segmentation'];
  area: number | null;
  provenance: MaskDto['provenance'];
  /** who drew it (null: the model, an import, or an unsent draft of the annotator's own) */
  authorId: string | null;
  /** SAM bbox [x, y, w, h] of the saved mask (null for an unsent one). */
  bbox: MaskDto['bbox'] | null;
  /** The model's scores of a pre-filled or automatic mask (or of the candidate a manual one came from). */
  predictedIou: number | null;
  stabilityScore: number | null;
  /** Its label (name and colour from the project's set; an unsent pick shown already); NO_LABEL when it
   * has none in a project with labels; null in a class-agnostic project. */
  label: RowLabel | null;
  /** Not yet confirmed by the API, or held (conflict / refused). */
  sync: 'saved' | 'pending' | 'conflict' | 'failed';
  message: string | null;
}

export function maskRows(imageId: number, server: readonly MaskDto[], outbox: readonly OutboxEntry[], labels: readonly Pick<LabelDto, 'id' | 'name' | 'color'>[] = []): MaskRow[] {
  const mine = outbox.filter((e) => e.imageId === imageId);
  const none = labels.length > 0 ? NO_LABEL : null;
  const labelOf = (id: string | null | undefined, known: RowLabel | null = null): RowLabel | null => (id ? (labels.find((l) => l.id === id) ?? known ?? none) : none);
  const relabelled = new Map(mine.flatMap((e) => (e.kind === 'label' ? [[e.input.maskId, e.input.labelId] as const] : [])));
  const deleted = new Set(mine.filter((e) => e.kind === 'delete').map((e) => e.input.maskId));
  const updates = new Map(mine.flatMap((e) => (e.kind === 'update' ? [[e.input.maskId, e] as const] : [])));
  const known = new Set(server.map((m) => m.clientKey).filter(Boolean));
  const rows: MaskRow[] = server
    .filter((m) => !deleted.has(m.id))
    .map((m) => {
      const u = updates.get(m.id);
      return {
        key: m.id,
        maskId: m.id,
        version: m.version,
        segmentation: u ? u.input.segmentation : m.segmentation,
        area: u ? null : m.area,
        provenance: m.provenance,
        authorId: m.authorId,
        bbox: u ? null : m.bbox,
        predictedIou: m.predictedIou,
        stabilityScore: m.stabilityScore,
        label: relabelled.has(m.id) ? labelOf(relabelled.get(m.id)) : labelOf(m.labelId, m.label),
        sync: u ? u.state : 'saved',
        message: u?.message ?? null,
      };
    });
  for (const e of mine) {
    if (e.kind !== 'save' || known.has(e.key)) continue;
    rows.push({ key: e.key, maskId: null, version: null, segmentation: e.input.segmentation, area: null, provenance: 'manual', authorId: null, bbox: null, predictedIou: e.input.predictedIou ?? null, stabilityScore: e.input.stabilityScore ?? null, label: labelOf(e.input.labelId), sync: e.state, message: e.message });
  }
  return rows;
}
