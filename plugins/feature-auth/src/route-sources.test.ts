import { type HttpRouteSource, type IRRoute, type ResourceRef, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { RouteSources } from './route-sources.js';

const ref = (name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name,
});

const route = (name: string, provenance: ResourceRef[]): IRRoute =>
  ({
    name,
    match: { path: { kind: 'prefix', value: '/' } },
    action: { kind: 'redirect' },
    provenance,
  }) as IRRoute;

describe('RouteSources', () => {
  it('finds what an index of every route name finds, whatever the provenance says', () => {
    const random = seededRandom(15);
    let byProvenance = 0;
    for (let round = 0; round < 200; round++) {
      // Each source holds route names of its own (a route's name is its Mapping's id and a suffix).
      const sources: HttpRouteSource[] = [];
      const count = 1 + Math.floor(random() * 6);
      for (let s = 0; s < count; s++) {
        const names = random() < 0.2 ? [] : [`m${s}:https`, ...(random() < 0.5 ? [`m${s}:http`] : [])];
        sources.push({ ref: ref(`m${s}`), namespace: 'default', spec: {}, labels: {}, routeNames: names });
      }
      const fast = new RouteSources(sources);
      const byName = new RouteSources(sources, true);
      for (let r = 0; r < 20; r++) {
        const s = Math.floor(random() * (count + 1));
        const name = `m${s}:${random() < 0.5 ? 'https' : 'http'}`;
        const provenance: ResourceRef[] = [];
        for (let p = Math.floor(random() * 3); p > 0; p--) {
          const other = sources[Math.floor(random() * count)]!;
          // The source's own ref, another source's, or an equal ref of an earlier compile.
          provenance.push(random() < 0.3 ? { ...other.ref } : other.ref);
        }
        if (random() < 0.6 && s < count) provenance.push(sources[s]!.ref);
        const it = route(name, provenance);
        const at = fast.positionOf(it);
        if (at >= 0 && provenance.includes(sources[at]!.ref)) byProvenance++;
        expect(at, `round ${round}, ${name}`).toBe(byName.positionOf(it));
      }
    }
    expect(byProvenance).toBeGreaterThan(500);
  });
});
