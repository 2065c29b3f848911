import { canonicalJson } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { canonicalDocumentChunks, writeInBatches } from './print-document.js';

const printed = (document: Record<string, unknown[]>, size?: number) => {
  const writes: string[] = [];
  writeInBatches(canonicalDocumentChunks(document), (t) => writes.push(t), size);
  return { text: writes.join(''), writes };
};

describe('canonicalDocumentChunks', () => {
  it('writes the bytes canonicalJson(document, 2) gives, whatever the document holds', () => {
    const documents: Array<Record<string, unknown[]>> = [
      {},
      { a: [] },
      { b: [{ z: 1, a: { y: [1, 2, { q: 'line\nbreak', p: null }], x: {} } }], a: [] },
      {
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': [
          { name: 'r', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [] }] },
          { name: 's', empty: [], ü: '\u2028 "quoted" \\ tab\t', n: -0.5, u: undefined },
        ],
        'type.googleapis.com/envoy.config.cluster.v3.Cluster': [{ name: 'c' }, undefined, 'text', 7],
      },
    ];
    for (const document of documents) {
      expect(printed(document).text).toBe(`${canonicalJson(document, 2)}\n`);
    }
  });

  it('writes in batches of about the given size, not one write per resource', () => {
    const document = { a: Array.from({ length: 1000 }, (_, i) => ({ name: `resource-${i}` })) };
    const { text, writes } = printed(document, 4096);
    expect(text).toBe(`${canonicalJson(document, 2)}\n`);
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.length).toBeLessThan(text.length / 1000);
    for (const w of writes.slice(0, -1)) expect(w.length).toBeGreaterThanOrEqual(4096);
  });
});
