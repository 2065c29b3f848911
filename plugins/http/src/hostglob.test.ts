import { describe, expect, it } from 'vitest';
import { globMatches, hostGlobsIntersect, isValidHostGlob } from './hostglob.js';

describe('host globs', () => {
  it.each([
    ['*', true],
    ['example.com', true],
    ['*.example.com', true],
    ['shop.*', true],
    ['www.*.example.com', false],
    ['**', false],
    ['', false],
    ['a b', false],
  ])('isValidHostGlob(%j) is %s', (glob, valid) => {
    expect(isValidHostGlob(glob)).toBe(valid);
  });

  // The association table of oracle case 08: which Mapping hostnames attach to which Host hostnames.
  it.each([
    ['www.example.com', 'www.example.com', true],
    ['www.example.com', '*.example.com', true],
    ['www.example.com', '*', true],
    ['shop.*', '*.example.com', true],
    ['shop.*', 'www.example.com', false],
    ['api.example.org', '*.example.com', false],
    ['*.example.org', '*.example.com', false],
    ['*.b.example.com', '*.example.com', true],
    ['a.*', 'a.b.*', true],
    ['a.*', 'ab.*', false],
    ['a.*', 'b.*', false],
    ['exact.com', 'other.com', false],
  ])('hostGlobsIntersect(%j, %j) is %s (and symmetric)', (a, b, expected) => {
    expect(hostGlobsIntersect(a, b)).toBe(expected);
    expect(hostGlobsIntersect(b, a)).toBe(expected);
  });

  it('matches concrete names', () => {
    expect(globMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(globMatches('*.example.com', 'example.com')).toBe(false);
    expect(globMatches('shop.*', 'shop.example.org')).toBe(true);
  });
});
