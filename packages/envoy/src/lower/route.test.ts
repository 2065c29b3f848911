import { type IRRoute, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { readIR } from '../testing/golden.js';
import { lowerRoute, type RegexLimits, stringMatcher } from './route.js';

describe('lowerRoute header matchers', () => {
  it('are lowered for the limits given, whichever limits came before (random order, fixed seed)', () => {
    const routes = Object.values(readIR('full-ir.in.yaml').routeConfigs)
      .flatMap((c) => c.virtualHosts.flatMap((vh) => vh.routes))
      .filter((r) => (r.match.headers ?? []).some((h) => h.match && 'regex' in h.match));
    expect(routes.length).toBeGreaterThan(0);
    const limitsList: RegexLimits[] = [{}, { maxProgramSize: 100 }, { maxProgramSize: 200 }];
    const random = seededRandom(1245);
    for (let i = 0; i < 300; i++) {
      const route: IRRoute = routes[Math.floor(random() * routes.length)]!;
      const limits = limitsList[Math.floor(random() * limitsList.length)]!;
      const headers = (lowerRoute(route, limits).match as { headers: Array<Record<string, unknown>> })
        .headers;
      route.match.headers!.forEach((h, k) => {
        if (h.match) expect(headers[k]!.string_match).toEqual(stringMatcher(h.match, limits));
      });
    }
  });
});
