import { emptyIR, type PassContext } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { mappingFieldsOf } from '../ingest/mapping-fields.js';
import type { HttpMapping } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { buildRouteGroups, type RouteGroup } from './groups.js';
import { KeptGroups } from './kept-groups.js';

const reported: string[] = [];
const ctx = {
  ir: emptyIR(),
  report: (d: { code: string; resource?: { name: string } }) =>
    reported.push(`${d.code} ${d.resource?.name}`),
} as unknown as PassContext;

const mapping = (name: string, spec: Partial<MappingSpec>): HttpMapping => ({
  ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace: 'default', name },
  id: `default/${name}`,
  name,
  namespace: 'default',
  labels: {},
  spec: { service: name, prefix: '/', hostname: 'a.example.com', ...spec } as MappingSpec,
  fields: mappingFieldsOf({ service: name, prefix: '/', hostname: 'a.example.com', ...spec } as MappingSpec),
  bypassAuth: false,
  authContextExtensions: {},
  rateLimitLabels: undefined,
  routeNames: [],
  authority: { glob: spec.hostname ?? 'a.example.com' },
});

/** A fresh HttpMapping object for the same admitted Mapping (what ingest gives every compile). */
const again = (m: HttpMapping): HttpMapping => ({ ...m, routeNames: [] });

const names = (groups: readonly RouteGroup[]) =>
  groups.map((g) =>
    [...g.members.map((m) => m.mapping.name), ...g.shadows.map((s) => `~${s.name}`)].join('+'),
  );

const upstreams = new Map<string, Upstream>();

function initial(): HttpMapping[] {
  const out: HttpMapping[] = [];
  for (let i = 0; i < 60; i++) {
    const spec: Partial<MappingSpec> = { prefix: `/p${i % 25}/${i % 7 === 0 ? '' : `x${i}/`}` };
    if (i % 11 === 0) spec.precedence = 5;
    if (i % 5 === 0) spec.method = 'POST';
    if (i % 13 === 3) spec.weight = 30; // a canary with the plain Mapping of its match, when there is one
    out.push(mapping(`m${i}`, spec));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

describe('KeptGroups', () => {
  it('gives the groups and route order of buildRouteGroups, compile after compile, keeping untouched groups', () => {
    const kept = new KeptGroups();
    let mappings = initial();
    let result = kept.group(ctx, mappings, upstreams);
    let replayed = 0;
    expect(names(result.groups)).toEqual(names(buildRouteGroups(ctx, mappings)));
    for (let step = 0; step < 20; step++) {
      const before = new Set(result.groups);
      // This compile's objects for the same Mappings; one edited, one removed, one added.
      mappings = mappings.map(again);
      mappings[(step * 7) % mappings.length] = mapping(`m${(step * 7) % 60}`, {
        prefix: `/p${step % 25}/`,
        precedence: step % 3,
      });
      mappings.splice((step * 5 + 3) % mappings.length, 1);
      mappings.push(
        mapping(`new${step}`, { prefix: `/p${(step * 3) % 25}/n/`, weight: step % 2 ? 20 : undefined }),
      );
      mappings.sort((a, b) => (a.id < b.id ? -1 : 1));
      reported.length = 0;
      result = kept.group(ctx, mappings, upstreams);
      const keptReports = [...reported].sort();
      reported.length = 0;
      const fresh = buildRouteGroups(ctx, mappings);
      expect(names(result.groups)).toEqual(names(fresh));
      // Canary diagnostics of untouched buckets are reported again.
      expect(keptReports).toEqual([...reported].sort());
      replayed += keptReports.length;
      // Untouched groups are the objects of the last compile, pointed at this compile's Mappings.
      const touched = new Set([...result.added, ...result.gone]);
      for (const g of result.groups) {
        if (!touched.has(g)) expect(before.has(g)).toBe(true);
        for (const m of g.members) expect(mappings).toContain(m.mapping);
      }
      expect(result.groups.length).toBeLessThan(mappings.length + 1);
      expect(result.added.length).toBeLessThan(10);
    }
    // The sequence had canary conflicts to report (so the replay above was checked).
    expect(replayed).toBeGreaterThan(0);
  });
});
