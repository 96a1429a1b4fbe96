// Which masks of the held image the annotator may change: the access policy's decideMaskEdit (the
// rule the API enforces), asked with "the annotator holds this image" — the tool only opens leased
// images. Unsent masks are the annotator's own drafts and always editable.
import { decideMaskEdit, type Membership, type UserDto } from '@dataengine/contracts';
import type { MaskRow } from './mask-rows';

/** Why this mask cannot be changed or deleted here; null when it can. */
export function maskLock(user: Pick<UserDto, 'id' | 'role'>, membership: Membership, row: Pick<MaskRow, 'maskId' | 'authorId'>): string | null {
  if (row.maskId === null) return null;
  const decision = decideMaskEdit(user, membership, { authorId: row.authorId, imageHeldByActor: true });
  return decision.allowed ? null : decision.reason;
}
