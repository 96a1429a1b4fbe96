import { describe, expect, it } from 'vitest';
import { AppError } from '@dataengine/contracts';
import { readJsonObject, type MemberMode } from './json-stream';

const LIMITS = { maxMemberBytes: 1 << 20, maxElementBytes: 1 << 16 };

/** The document split into chunks of the given sizes (cycled), as a stream would deliver it. */
async function* chunks(text: string, sizes: number[]): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length]!;
    yield bytes.subarray(at, at + n);
    at += n;
  }
}

async function read(text: string, sizes: number[], modes: Record<string, MemberMode> = {}) {
  const members: Record<string, unknown> = {};
  const elements: Record<string, unknown[]> = {};
  const ends: Record<string, number> = {};
  await readJsonObject(
    chunks(text, sizes),
    'the file',
    {
      mode: (key) => modes[key] ?? 'whole',
      member: (key, value) => void (members[key] = value),
      element: (key, value, index) => {
        (elements[key] ??= []).push(value);
        expect(index).toBe(elements[key]!.length - 1);
      },
      arrayEnd: (key, count) => void (ends[key] = count),
    },
    LIMITS,
    'not an object',
  );
  return { members, elements, ends };
}

const DOC = {
  info: { description: 'a "quoted" {brace} [bracket] \\ back\u00e9\u4e2d\ud83d\ude00', n: -1.5e3 },
  images: [{ id: 1, file_name: 'a b.jpg' }, { id: 'x', file_name: 'ü.png' }],
  annotations: [{ id: 1, segmentation: [[0, 0, 1, 0, 1, 1]] }, 7, 'str', null, true, [1, [2]], { nested: { deep: ['}', ']'] } }, 0.25],
  empty: [],
  flag: false,
  last: 12345,
};

describe('readJsonObject', () => {
  it('hands over members whole and arrays element by element, however the bytes are split', async () => {
    const text = JSON.stringify(DOC, null, 1);
    for (const sizes of [[1], [2, 3], [7], [64], [1 << 20]]) {
      const { members, elements, ends } = await read(text, sizes, { annotations: 'elements', empty: 'elements' });
      expect(elements['annotations']).toEqual(DOC.annotations);
      expect(elements['empty']).toBeUndefined();
      expect(ends).toEqual({ annotations: DOC.annotations.length, empty: 0 });
      expect(members).toEqual({ info: DOC.info, images: DOC.images, flag: false, last: 12345 });
    }
  });

  it('skips members unparsed and reads a number at the very end', async () => {
    const { members } = await read('{"images":[1,2,{"a":"]"}],"x":-0.5e-2}', [3], { images: 'skip' });
    expect(members).toEqual({ x: -0.005 });
    expect((await read('{"a":[],"b":{}}', [1], { a: 'elements' })).members).toEqual({ b: {} });
  });

  it('hands a member read by elements over whole when it is not an array', async () => {
    const { members, elements } = await read('{"annotations":{"not":"a list"}}', [5], { annotations: 'elements' });
    expect(members).toEqual({ annotations: { not: 'a list' } });
    expect(elements).toEqual({});
  });

  it('refuses what is not one complete JSON object, saying where', async () => {
    const refused = async (text: string, modes: Record<string, MemberMode> = { annotations: 'elements' }) => {
      const error = await read(text, [4], modes).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      return (error as AppError).message;
    };
    expect(await refused('[1,2]')).toBe('not an object');
    expect(await refused('')).toMatch(/is empty/);
    expect(await refused('{"images": [ {"id": 1,')).toMatch(/is not valid JSON \(it ends before the JSON object is complete/);
    expect(await refused('{"annotations":[{"a" 1}]}')).toMatch(/is not valid JSON \("annotations"\[0\]: /);
    expect(await refused('{"annotations":[1,,2]}')).toMatch(/is not valid JSON/);
    expect(await refused('{"a":1,}')).toMatch(/expected a member name/);
    expect(await refused('{"a":1} x')).toMatch(/unexpected data after the end/);
    expect(await refused('{"a" 1}')).toMatch(/expected ":"/);
    expect(await refused('{"a":tru}')).toMatch(/is not valid JSON \("a": /);
  });

  it('refuses an element or member past its limit', async () => {
    const big = JSON.stringify({ annotations: [{ counts: 'x'.repeat(70_000) }] });
    const error = await read(big, [1000], { annotations: 'elements' }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/element 0 of "annotations" in the file is larger than 64 KiB/) });
  });
});
