import { type IRRoute, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { MappingFields } from '../ingest/mapping-fields.js';
import { IngestedMapping } from '../ingest/mappings.js';
import { noRouteNames } from '../model.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { insertName, RouteKind, routeKindsOf } from './route-names.js';

function ingested(id: string): IngestedMapping {
  const [namespace, name] = id.split('/') as [string, string];
  return new IngestedMapping(
    { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace, name },
    id,
    {},
    { prefix: '/', service: 's' } as MappingSpec,
    {} as MappingFields,
    noRouteNames,
    undefined,
    undefined,
  );
}

const route = (name: string) => ({ name }) as IRRoute;

describe('route names by kind (a plain compile)', () => {
  it('give the list insertName makes of the names, however kinds are added and the list read in between', () => {
    const random = seededRandom(1502);
    const ids = ['default/m', 'team-1/quote', 'a/b:https', 'ns/x:http'];
    for (let trial = 0; trial < 3_000; trial++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      const mapping = ingested(id);
      const want: string[] = [];
      for (let step = Math.floor(random() * 5); step > 0; step--) {
        // What memberRoutes makes: [id], [id:https], or [id:https, id:http].
        const shape = Math.floor(random() * 3);
        const made =
          shape === 0
            ? [route(id)]
            : shape === 1
              ? [route(`${id}:https`)]
              : [route(`${id}:https`), route(`${id}:http`)];
        for (const r of made) insertName(want, r.name);
        const kinds = routeKindsOf(made, id);
        expect(kinds).toBeGreaterThan(0);
        mapping.addRouteKinds(kinds);
        if (random() < 0.3) expect(mapping.routeNames).toEqual(want);
      }
      expect(mapping.routeNames).toEqual(want);
      // Read twice: the same list.
      expect(mapping.routeNames).toBe(mapping.routeNames);
      if (want.length === 0) expect(mapping.routeNames).toBe(noRouteNames);
    }
  });

  it('are none for a name of another length, and a set list is kept and added to', () => {
    expect(routeKindsOf([route('default/m:x')], 'default/m')).toBe(-1);
    expect(routeKindsOf([route('default/m')], 'default/m')).toBe(RouteKind.id);
    const mapping = ingested('default/m');
    const own = ['default/m'];
    mapping.routeNames = own;
    mapping.addRouteKinds(RouteKind.https);
    expect(mapping.routeNames).toBe(own);
    expect(own).toEqual(['default/m', 'default/m:https']);
  });
});
