import { describe, expect, it } from 'vitest';
import { HttpError } from './api-error';
import { readUploadResponse, uploadUrl } from './upload-image-file';

const image = {
  id: 9,
  projectId: '8d3c7f0e-3d1a-4d55-9d42-1f2a3b4c5d6e',
  fileName: 'a b.png',
  mime: 'image/png',
  byteSize: 10,
  width: 4,
  height: 3,
  split: 'train',
  status: 'pending',
  error: null,
  contentHash: 'ab',
  createdAt: '2026-01-01T00:00:00.000Z',
  url: '/api/images/9/file',
  thumbUrl: null,
};

describe('uploadUrl', () => {
  it('encodes the file name and joins the batch run', () => {
    expect(uploadUrl('p-1', 'a b&c.png', 'r-1')).toBe('/api/projects/p-1/images?name=a+b%26c.png&runId=r-1');
  });
  it('asks for the held-out side only when it is not auto', () => {
    expect(uploadUrl('p-1', 'a.png', 'r-1', 'auto')).toBe('/api/projects/p-1/images?name=a.png&runId=r-1');
    expect(uploadUrl('p-1', 'a.png', 'r-1', 'val')).toBe('/api/projects/p-1/images?name=a.png&runId=r-1&split=val');
  });
});

describe('readUploadResponse', () => {
  it('returns the validated result of a stored or duplicate upload', () => {
    expect(readUploadResponse(201, JSON.stringify({ image, duplicate: false })).image.id).toBe(9);
    expect(readUploadResponse(200, JSON.stringify({ image, duplicate: true })).duplicate).toBe(true);
  });

  it("raises the API's code and message for a refused file", () => {
    const body = JSON.stringify({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this file is not an image' } });
    const error = (() => {
      try {
        readUploadResponse(415, body);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this file is not an image' });
  });

  it('explains an unreadable answer instead of failing on JSON', () => {
    expect(() => readUploadResponse(502, '<html>Bad gateway</html>')).toThrow('the server answered 502 without a readable body');
  });
});
