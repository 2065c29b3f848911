import { describe, expect, it } from 'vitest';
import { closestMatch, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('timeout_ms', 'timeout_ms')).toBe(0);
    expect(editDistance('timout_ms', 'timeout_ms')).toBe(1);
    expect(editDistance('tlsSecrett', 'tlsSecret')).toBe(1);
    expect(editDistance('serivce', 'service')).toBe(1);
    expect(editDistance('getambasador.io', 'getambassador.io')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest candidate within a small distance, ignoring case, "_" and "-"', () => {
    const fields = ['timeout_ms', 'idle_timeout_ms', 'connect_timeout_ms', 'prefix', 'tlsSecret', 'tls'];
    expect(closestMatch('timout_ms', fields)).toBe('timeout_ms');
    expect(closestMatch('tls_secret', fields)).toBe('tlsSecret');
    expect(closestMatch('tlsSecrett', fields)).toBe('tlsSecret');
    expect(closestMatch('totally_made_up', fields)).toBeUndefined();
    // Short names need to be closer: 'tlx' is one edit from 'tls', 'abc' is not near anything.
    expect(closestMatch('tlx', fields)).toBe('tls');
    expect(closestMatch('abc', fields)).toBeUndefined();
    expect(closestMatch('prefix', fields)).toBeUndefined();
  });

  it('breaks ties the same way every time', () => {
    expect(closestMatch('ab', ['ac', 'aa'])).toBe('aa');
    expect(closestMatch('ab', ['aa', 'ac'])).toBe('aa');
  });
});
