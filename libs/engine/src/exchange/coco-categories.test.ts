import { describe, expect, it } from 'vitest';
import { categoryLabelOf, COCO_CATEGORY, exportCategories, readCocoCategories } from './coco-categories';

const LABELS = [
  { id: 'l-person', name: 'person', color: '#e6194b' },
  { id: 'l-car', name: 'car', color: '#3cb44b' },
];

describe('COCO categories on export', () => {
  it('a class-agnostic project writes the one "object" category it always wrote', () => {
    const { categories, categoryIdOf } = exportCategories([], false);
    expect(categories).toEqual([{ id: 1, name: 'object', supercategory: 'object' }]);
    expect(categoryIdOf(null)).toBe(1);
  });

  it('a project with labels writes them in order (ids 1..n, with colours), plus "object" only for unlabelled masks', () => {
    const labelled = exportCategories(LABELS, false);
    expect(labelled.categories).toEqual([
      { id: 1, name: 'person', supercategory: '', color: '#e6194b' },
      { id: 2, name: 'car', supercategory: '', color: '#3cb44b' },
    ]);
    expect([labelled.categoryIdOf('l-person'), labelled.categoryIdOf('l-car')]).toEqual([1, 2]);
    const mixed = exportCategories(LABELS, true);
    expect(mixed.categories.at(-1)).toEqual({ ...COCO_CATEGORY, id: 3 });
    expect(mixed.categoryIdOf(null)).toBe(3);
  });
});

describe('COCO categories on import', () => {
  it('round-trips what the export writes: labels by name and colour, "object" as unlabelled', () => {
    const read = readCocoCategories(exportCategories(LABELS, true).categories);
    expect(read.labels).toEqual([
      { name: 'person', color: '#e6194b' },
      { name: 'car', color: '#3cb44b' },
    ]);
    expect(categoryLabelOf(read, { category_id: 2 })).toEqual({ name: 'car', color: '#3cb44b' });
    expect(categoryLabelOf(read, { category_id: 3 })).toBeNull();
  });

  it('reads old and class-agnostic exports as unlabelled, and a label named "object" (it has a colour) as a label', () => {
    const old = readCocoCategories([{ id: 1, name: 'object', supercategory: 'object' }]);
    expect(old.labels).toEqual([]);
    expect(categoryLabelOf(old, { category_id: 1 })).toBeNull();
    const named = readCocoCategories([{ id: 1, name: 'object', supercategory: '', color: '#000000' }]);
    expect(categoryLabelOf(named, { category_id: 1 })).toEqual({ name: 'object', color: '#000000' });
  });

  it('reads foreign files: string ids, no colours, names repeated in another case are one label', () => {
    const read = readCocoCategories([
      { id: '7', name: ' Dog ', supercategory: 'animal' },
      { id: 9, name: 'dog' },
      { id: 10, name: 'cat', color: 'not a colour' },
    ]);
    expect(read.labels).toEqual([
      { name: 'Dog', color: null },
      { name: 'cat', color: null },
    ]);
    expect(categoryLabelOf(read, { category_id: 7 })).toBe(categoryLabelOf(read, { category_id: '9' }));
  });

  it('without categories (or without a category_id) masks are unlabelled; an undefined category is the annotation\'s error', () => {
    expect(categoryLabelOf(readCocoCategories(undefined), { category_id: 5 })).toBeNull();
    const read = readCocoCategories([{ id: 1, name: 'car' }]);
    expect(categoryLabelOf(read, {})).toBeNull();
    expect(() => categoryLabelOf(read, { category_id: 4 })).toThrow("its category_id 4 is not among the file's categories");
    expect(() => categoryLabelOf(read, { category_id: [1] })).toThrow(/neither a number nor a string/);
  });

  it('fails the file on a malformed categories list', () => {
    expect(() => readCocoCategories({})).toThrow(/"categories" is not a list/);
    expect(() => readCocoCategories([{ id: 1 }])).toThrow(/categories\[0\] of the COCO file needs an "id" and a "name"/);
    expect(() => readCocoCategories([{ id: 1, name: 'a' }, { id: 1, name: 'b' }])).toThrow(/category id 1 twice/);
    expect(() => readCocoCategories([{ id: 1, name: '  ' }])).toThrow(/cannot be a label: a label needs a name/);
  });
});
