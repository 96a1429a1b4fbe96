// Images per page of the project grid: `?per=N` on the project page, within the API's bounds.
export const DEFAULT_IMAGE_PAGE_SIZE = 60;
/** pageInputSchema in @dataengine/contracts accepts 1..200. */
export const MAX_IMAGE_PAGE_SIZE = 200;

export function parseImagePageSize(raw: string | string[] | undefined): number {
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isInteger(value) || value < 1) return DEFAULT_IMAGE_PAGE_SIZE;
  return Math.min(value, MAX_IMAGE_PAGE_SIZE);
}
