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

  it('refuses what a browser would turn into another origin: tabs, newlines and other control characters, backslashes', () => {
    for (const bad of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/\\/evil.example', '/\\\\evil.example', '/%09/ok', '/runs\u0000', '/x\u007f', '/\u001b[1m', '/runs\\..\\..']) {
      expect(safeNextPath(bad.replace('%09', '\t')), JSON.stringify(bad)).toBe('/projects');
    }
  });

  it('keeps the query and fragment of a same-origin path, and normalises dot segments within it', () => {
    expect(safeNextPath('/projects/p1/annotate?image=4#mask-2')).toBe('/projects/p1/annotate?image=4#mask-2');
    expect(safeNextPath('/runs/../projects')).toBe('/projects');
    expect(safeNextPath('/a/%2F%2Fevil.example')).toBe('/a/%2F%2Fevil.example');
  });
});

describe('loginHref', () => {
  it('carries the way back and, when the session expired, the reason', () => {
    expect(loginHref('/projects/1?x=a&y=b')).toBe('/login?next=%2Fprojects%2F1%3Fx%3Da%26y%3Db');
    expect(loginHref('/runs', 'expired')).toBe('/login?next=%2Fruns&reason=expired');
  });
});
