// The "Register from storage" form's input, read into what images.registerFromStore takes. Pure.
import { MAX_REGISTER_KEYS, type RegisterFromStoreInput, type SplitChoice } from '@dataengine/contracts';

export type RegisterMode = 'prefix' | 'keys';

export interface RegisterForm {
  mode: RegisterMode;
  prefix: string;
  /** one key a line, as pasted */
  keys: string;
  bucket: string;
  split: SplitChoice;
}

/** The keys pasted, one a line (blank lines dropped, each key once, in order). */
export function pastedKeys(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean))];
}

/** The mutation's input, or what to fix first. */
export function registerInput(projectId: string, form: RegisterForm): { input: RegisterFromStoreInput } | { problem: string } {
  const bucket = form.bucket.trim();
  const common = { projectId, split: form.split, ...(bucket ? { bucket } : {}) };
  if (form.mode === 'prefix') {
    const prefix = form.prefix.trim();
    if (!prefix) return { problem: 'Give the prefix the images are under, e.g. datasets/shelf/.' };
    return { input: { ...common, prefix } };
  }
  const keys = pastedKeys(form.keys);
  if (keys.length === 0) return { problem: 'Paste at least one object key, one a line.' };
  if (keys.length > MAX_REGISTER_KEYS) return { problem: `${keys.length} keys pasted; one registration takes at most ${MAX_REGISTER_KEYS}. Register their common prefix instead, or split the list.` };
  return { input: { ...common, keys } };
}

/** What a registration's result says beyond its counts: listing totals and the objects that failed. */
export function registerSummary(result: Record<string, unknown> | null): {
  listed: number;
  registered: number;
  alreadyRegistered: number;
  skipped: number;
  skippedExamples: string[];
  errors: { key: string; error: string }[];
} | null {
  const listing = result?.['listing'];
  if (typeof listing !== 'object' || listing === null) return null;
  const l = listing as Record<string, unknown>;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const errors = Array.isArray(result?.['errors']) ? (result['errors'] as { key: string; error: string }[]) : [];
  return {
    listed: n(l['listed']),
    registered: n(l['registered']),
    alreadyRegistered: n(l['alreadyRegistered']),
    skipped: n(l['skipped']),
    skippedExamples: Array.isArray(l['skippedExamples']) ? (l['skippedExamples'] as string[]) : [],
    errors,
  };
}
