import { type Resource, refOf, type SourceLocation, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { resourceRef } from './resource-ref.js';

describe('resourceRef', () => {
  it('is refOf: the same keys in the same order and the same values, over random resources and origins', () => {
    const random = seededRandom(1501);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let literal = 0;
    for (let i = 0; i < 5_000; i++) {
      const metadata: Resource['metadata'] = { name: pick(['m0', 'quote', 'a-b', '']) };
      if (random() < 0.7) metadata.namespace = pick(['default', 'team-1', '']);
      const resource: Resource = {
        apiVersion: pick(['getambassador.io/v3alpha1', 'getambassador.io/v2', 'v1']),
        kind: pick(['Mapping', 'Host', 'Secret']),
        metadata,
      };
      let origin: SourceLocation | undefined;
      if (random() < 0.9) {
        origin = { source: pick(['source-file', 'source-kubernetes']) };
        if (random() < 0.8) origin.file = pick(['/tmp/a.yaml', 'ns/obj', '']);
        if (random() < 0.7) origin.line = pick([0, 1, 42, 12345]);
      }
      const got = resourceRef(resource, origin);
      const want = refOf(resource, origin);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(got).toEqual(want);
      if (metadata.namespace !== undefined && origin?.file !== undefined) literal++;
    }
    // The literal (not refOf's fallback) answered a good share of them.
    expect(literal).toBeGreaterThan(1_500);
  });
});
