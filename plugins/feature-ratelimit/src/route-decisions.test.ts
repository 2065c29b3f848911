import type { HttpRouteSource, IRRoute, PassContext, ResourceRef } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { RateLimitInterner } from './intern.js';
import { type DecisionInputs, routeDecisions } from './route-decisions.js';

const ref = (name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name,
});

const source = (r: ResourceRef, routeNames: string[], value?: string): HttpRouteSource => ({
  ref: r,
  namespace: 'default',
  spec: value ? { labels: { edge: [{ g: [{ generic_key: { value } }] }] } } : {},
  labels: {},
  routeNames,
});

const route = (name: string, provenance: ResourceRef[]): IRRoute =>
  ({
    name,
    match: { path: { kind: 'prefix', value: '/' } },
    action: { kind: 'redirect' },
    provenance,
  }) as unknown as IRRoute;

function decide(sources: HttpRouteSource[], builtins: string[] = []) {
  const reports: unknown[] = [];
  const ctx = { report: (d: unknown) => reports.push(d) } as unknown as PassContext;
  const inputs: DecisionInputs = {
    chosen: true,
    serviceDomain: 'edge',
    intern: new RateLimitInterner(),
    prefixOf: () => [],
    rateLimitsOf: () => undefined,
  };
  return { ...routeDecisions(ctx, sources, inputs, new Set(builtins)), reports };
}

/** The generic_key value a decision sends (what tells the Mappings apart here). */
const sentValue = (d: { rateLimits?: readonly Record<string, unknown>[] } | undefined) =>
  (d?.rateLimits?.[0] as { actions: Array<{ generic_key: { descriptor_value: string } }> } | undefined)
    ?.actions[0]?.generic_key.descriptor_value;

describe('RouteDecisions', () => {
  const a = ref('a');
  const b = ref('b');
  const sources = [
    source(a, ['a:http', 'a:https'], 'va'),
    source(b, ['b:http'], 'vb'),
    source(ref('c'), ['c:http']),
  ];

  it('finds the Mapping through the route’s provenance, by name', () => {
    const { decisions, reports } = decide(sources);
    expect(reports).toEqual([]);
    expect(decisions.any).toBe(true);
    expect(sentValue(decisions.of(route('a:https', [a])))).toBe('va');
    expect(sentValue(decisions.of(route('b:http', [a, b])))).toBe('vb');
    // A Mapping without labels: nothing to add.
    const none = decisions.of(route('c:http', [sources[2]!.ref]));
    expect(none?.routeNames).toEqual(['c:http']);
    expect(none?.rateLimits ?? none?.local).toBeUndefined();
  });

  it('falls back to the route name when the provenance names another or an equal-but-other ref', () => {
    const { decisions } = decide(sources);
    // Provenance from an earlier compile: equal content, another object.
    expect(sentValue(decisions.of(route('a:http', [ref('a')])))).toBe('va');
    // Provenance of a Mapping whose routes do not include this name.
    expect(sentValue(decisions.of(route('b:http', [a])))).toBe('vb');
    expect(sentValue(decisions.of(route('a:http', [])))).toBe('va');
    expect(decisions.of(route('nobody:http', [a]))).toBeUndefined();
  });

  it('leaves built-in routes alone, and says when no Mapping gets anything', () => {
    const { decisions } = decide(sources, ['probe']);
    expect(decisions.of(route('probe', []))).toBeUndefined();
    expect(decide([source(ref('c'), ['c:http'])]).decisions.any).toBe(false);
  });
});
