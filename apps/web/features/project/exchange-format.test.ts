import { describe, expect, it } from 'vitest';
import { buildExportInput, DEFAULT_EXPORT_FORM, exportSummary, guessImportFormat, importSummary, importUrl } from './exchange-format';

const PROJECT = '6f1c2a8e-0000-4000-8000-000000000001';

describe('export form', () => {
  it('sends no provenance filter when every provenance is chosen, and the chosen ones otherwise', () => {
    const all = buildExportInput(PROJECT, DEFAULT_EXPORT_FORM);
    expect(all.ok && all.input).toMatchObject({ kind: 'export', projectId: PROJECT, format: 'coco-rle', includeImages: true });
    expect(all.ok && 'provenance' in all.input && all.input.provenance).toBeFalsy();
    const some = buildExportInput(PROJECT, { format: 'coco-polygon', includeImages: false, provenance: ['auto', 'manual'] });
    expect(some.ok && some.input).toMatchObject({ format: 'coco-polygon', includeImages: false, provenance: ['manual', 'auto'], polygonTolerance: 0 });
  });

  it('always packs the images with SA-1B, and refuses an empty provenance choice', () => {
    const sa1b = buildExportInput(PROJECT, { format: 'sa1b', includeImages: false, provenance: ['manual'] });
    expect(sa1b.ok && sa1b.input).toMatchObject({ format: 'sa1b', includeImages: true });
    expect(buildExportInput(PROJECT, { ...DEFAULT_EXPORT_FORM, provenance: [] })).toEqual({ ok: false, error: 'choose at least one provenance to export' });
  });
});

describe('import file', () => {
  it('guesses SA-1B from its file names and COCO otherwise', () => {
    expect(guessImportFormat('sa_1234.json')).toBe('sa1b');
    expect(guessImportFormat('shop-sa1b.tar')).toBe('sa1b');
    expect(guessImportFormat('instances_val2017.json')).toBe('coco');
    expect(guessImportFormat('visa_export.json')).toBe('coco');
  });

  it('posts to the project import route with the format', () => {
    expect(importUrl(PROJECT, 'sa1b')).toBe(`/api/projects/${PROJECT}/import?format=sa1b`);
    expect(importUrl(PROJECT, 'coco', 'val')).toBe(`/api/projects/${PROJECT}/import?format=coco&split=val`);
  });
});

describe('run results', () => {
  it('reads an export result, and nothing from a run without one', () => {
    expect(exportSummary({ format: 'coco-rle', artifact: { key: 'k', fileName: 'p-coco-rle.json', bytes: 2048 }, images: 2, annotations: 9 })).toEqual({ fileName: 'p-coco-rle.json', bytes: 2048, images: 2, annotations: 9 });
    expect(exportSummary(null)).toBeNull();
  });

  it('reads an import result with its errors, tolerating missing parts', () => {
    const result = { images: { total: 3, matched: 2, unmatched: 1 }, annotations: { total: 10, imported: 6, skipped: 1, failed: 3 }, errors: ['image "x.jpg" matches no image', 42] };
    expect(importSummary(result)).toEqual({ images: { total: 3, matched: 2, unmatched: 1 }, imported: 6, skipped: 1, failed: 3, total: 10, errors: ['image "x.jpg" matches no image'] });
    expect(importSummary({})).toEqual({ images: { total: 0, matched: 0, unmatched: 0 }, imported: 0, skipped: 0, failed: 0, total: 0, errors: [] });
  });
});


describe('buildExportInput with a selection', () => {
  it('sends the images chosen by filter for the server to resolve', () => {
    const form = DEFAULT_EXPORT_FORM;
    const r = buildExportInput('11111111-1111-4111-8111-111111111111', form, { stages: ['fully_automatic'], imageIds: [3] });
    expect(r.ok && r.input).toMatchObject({ kind: 'export', selection: { stages: ['fully_automatic'], imageIds: [3] } });
    const all = buildExportInput('11111111-1111-4111-8111-111111111111', form);
    expect(all.ok && 'selection' in all.input).toBe(false);
  });
});
