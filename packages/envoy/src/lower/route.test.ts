import {
  type IRHeaderMatch,
  type IRQueryParameterMatch,
  type IRRedirectAction,
  type IRRoute,
  type IRStringMatch,
  seededRandom,
} from '@attache/core';
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

describe('shared redirect actions', () => {
  it('give the JSON a fresh lowering of the same route gives, under any limits, in any order', () => {
    const limitsList: RegexLimits[] = [{}, { maxProgramSize: 100 }, { maxProgramSize: 200 }];
    const random = seededRandom(1313);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    // A few IR redirect actions shared by many routes (as the http plugin shares its redirect to HTTPS).
    const actions: IRRedirectAction[] = Array.from({ length: 6 }, (_, i) => {
      const action: IRRedirectAction = { kind: 'redirect' };
      if (random() < 0.6) action.httpsRedirect = true;
      if (random() < 0.3) action.hostRedirect = `h${i}.example`;
      if (random() < 0.3) action.responseCode = pick([301, 302, 307]);
      if (random() < 0.4) action.regexRewrite = { pattern: `^/r${i}/(.*)`, substitution: '/\\1' };
      if (random() < 0.2) action.stripQuery = true;
      return action;
    });
    for (let i = 0; i < 400; i++) {
      const route: IRRoute = {
        name: `r${i}`,
        match: { path: { kind: 'prefix', value: `/p${i}/` } },
        action: pick(actions),
        provenance: [],
      };
      const limits = pick(limitsList);
      const lowered = lowerRoute(route, limits);
      // A structured clone has new IR objects: lowered afresh, not found among the shared ones.
      expect(lowered).toEqual(lowerRoute(structuredClone(route), limits));
      expect(lowered.redirect).toBe(lowerRoute({ ...route, name: `again${i}` }, limits).redirect);
    }
  });
});

describe('shared header and query matcher lists', () => {
  it('give the JSON a fresh lowering of the same route gives, under any limits, in any order', () => {
    const limitsList: RegexLimits[] = [{}, { maxProgramSize: 100 }, { maxProgramSize: 200 }];
    const random = seededRandom(1414);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    // Each kind in turn: regexes (which the limits change) among them.
    const stringMatch = (i: number): IRStringMatch =>
      [
        { exact: `v${i}` },
        { regex: `^r${i}[0-9]+$` },
        { prefix: `p${i}`, ignoreCase: true },
        { suffix: `s${i}` },
      ][i % 4]!;
    // A few IR lists shared by many routes (as the http plugin shares a secure route's
    // [x-forwarded-proto] and a Mapping's headers), some of them sharing matchers too.
    const headerMatchers: IRHeaderMatch[] = Array.from({ length: 8 }, (_, i) =>
      i % 5 === 4
        ? { name: `x-h${i}`, present: random() < 0.5 }
        : { name: `x-h${i}`, match: stringMatch(i), invert: random() < 0.2 || undefined },
    );
    const headerLists = Array.from({ length: 6 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(headerMatchers)),
    );
    const queryLists: IRQueryParameterMatch[][] = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) =>
        k === 2 ? { name: `q${i}${k}` } : { name: `q${i}${k}`, match: stringMatch(i + k) },
      ),
    );
    for (let i = 0; i < 500; i++) {
      const match: IRRoute['match'] = { path: { kind: 'prefix', value: `/p${i}/` } };
      if (random() < 0.8) match.headers = pick(headerLists);
      if (random() < 0.4) match.queryParameters = pick(queryLists);
      const route: IRRoute = {
        name: `r${i}`,
        match,
        action: { kind: 'forward', clusters: [{ cluster: `c${i % 7}`, weight: 100 }] },
        provenance: [],
      };
      const limits = pick(limitsList);
      const lowered = lowerRoute(route, limits);
      // A structured clone has new IR objects: lowered afresh, not found among the shared ones.
      expect(lowered).toEqual(lowerRoute(structuredClone(route), limits));
      const loweredMatch = lowered.match as Record<string, unknown>;
      // Each matcher as the limits lower it (not those of a list lowered before under others).
      const matchers = [
        ...((loweredMatch.headers ?? []) as Record<string, unknown>[]).map((h, k) => [h, match.headers![k]!]),
        ...((loweredMatch.query_parameters ?? []) as Record<string, unknown>[]).map((q, k) => [
          q,
          match.queryParameters![k]!,
        ]),
      ] as [Record<string, unknown>, IRHeaderMatch | IRQueryParameterMatch][];
      for (const [json, ir] of matchers) {
        expect(json.name).toBe(ir.name);
        expect(json.string_match).toEqual(ir.match ? stringMatcher(ir.match, limits) : undefined);
      }
      const again = lowerRoute({ ...route, name: `again${i}` }, limits).match as Record<string, unknown>;
      expect(again.headers).toBe(loweredMatch.headers);
      expect(again.query_parameters).toBe(loweredMatch.query_parameters);
    }
  });
});
