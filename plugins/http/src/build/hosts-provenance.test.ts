import { mergeProvenance, type ResourceRef, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { hostsProvenance } from './kept-build.js';

const ref = (kind: string, namespace: string, name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind,
  namespace,
  name,
});

describe('hostsProvenance', () => {
  it('is mergeProvenance of the Listener and each Host ref, for random lists (a synthesized Host has none)', () => {
    const random = seededRandom(15);
    const pool = [
      ref('Listener', 'default', 'l'),
      ref('Listener', 'a', 'z'),
      ref('Host', 'default', 'h1'),
      ref('Host', 'default', 'h10'),
      ref('Host', 'default', 'h2'),
      ref('Host', 'zz', 'a'),
      ref('Mapping', 'default', 'l'),
    ];
    const pick = () => pool[Math.floor(random() * pool.length)]!;
    for (let step = 0; step < 2000; step++) {
      const listener = pick();
      const refs = Array.from({ length: Math.floor(random() * 4) }, () =>
        random() < 0.2 ? undefined : pick(),
      );
      const expected = mergeProvenance([listener], ...refs.map((r) => (r ? [r] : [])));
      const got = hostsProvenance(listener, refs);
      expect(got.length, JSON.stringify({ listener, refs })).toBe(expected.length);
      // The same ref objects in the same order.
      for (let i = 0; i < got.length; i++) expect(got[i]).toBe(expected[i]);
    }
  });
});
