import { describe, expect, it } from 'vitest';
import { loginHref, safeNextPath } from './session';

describe('safeNextPath', () => {
  it('follows same-site paths only', () => {
    expect(safeNextPath('/projects/abc?x=1')).toBe('/projects/abc?x=1');
    expect(safeNextPath('/runs')).toBe('/runs');
    for (const bad of [null, undefined, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'projects']) {
      expect(safeNextPath(bad)).toBe('/projects');
    }
  });
});

describe('loginHref', () => {
  it('carries the way back and, when the session expired, the reason', () => {
    expect(loginHref('/projects/1?x=a&y=b')).toBe('/login?next=%2Fprojects%2F1%3Fx%3Da%26y%3Db');
    expect(loginHref('/runs', 'expired')).toBe('/login?next=%2Fruns&reason=expired');
  });
});
