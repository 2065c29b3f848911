import { describe, expect, it } from 'vitest';
import { messageDesc, typeNameOfUrl } from './registry.js';
import {
  type JsonObject,
  keyMutations,
  mutations,
  randomMutations,
  seededRandom,
  validationFixtures,
} from './testing/validation-corpus.js';
import { validateResource } from './validate.js';
import {
  type AcceptanceMode,
  fastAccepts,
  generatedAcceptorTypes,
  withAcceptanceMode,
  withAcceptedMemo,
} from './validate-fast.js';

const fastWith = (use: AcceptanceMode, json: JsonObject) =>
  withAcceptanceMode(use, () => fastAccepts(messageDesc(typeNameOfUrl(json['@type'] as string)), json, true));

/** The generated acceptors and the walker on one document: same verdict, and the same issues. */
function expectSameVerdicts(json: JsonObject): boolean {
  const walker = fastWith('walker', json);
  const generated = fastWith('generated', json);
  if (walker !== generated) {
    expect.fail(`walker ${walker}, generated ${generated}: ${JSON.stringify(json).slice(0, 400)}`);
  }
  const issues = (use: AcceptanceMode) => withAcceptanceMode(use, () => validateResource(json));
  expect(issues('generated')).toEqual(issues('walker'));
  return walker;
}

describe('generated acceptors', () => {
  it('accept every valid fixture, as the walker does', () => {
    for (const json of validationFixtures()) expect(expectSameVerdicts(json), String(json.name)).toBe(true);
  });

  it('give the walker verdict on every single-point mutation of every fixture', () => {
    let checked = 0;
    let accepted = 0;
    for (const json of validationFixtures()) {
      for (const mutated of mutations(json)) {
        checked++;
        if (expectSameVerdicts(mutated)) accepted++;
      }
    }
    // Both outcomes are exercised: some mutations stay valid, most are rejected.
    expect(checked).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(checked / 2);
  }, 180_000);

  it('give the walker verdict where keys are added: two members of a oneof, JSON names, both names', () => {
    let checked = 0;
    let accepted = 0;
    for (const json of validationFixtures()) {
      for (const mutated of keyMutations(json)) {
        checked++;
        if (expectSameVerdicts(mutated)) accepted++;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(checked);
  }, 180_000);

  it('give the walker verdict on random mutations at several places (fixed seed)', () => {
    const random = seededRandom(15);
    const fixtures = validationFixtures();
    let checked = 0;
    for (const json of fixtures) {
      for (const mutated of randomMutations(json, random, 150)) {
        expectSameVerdicts(mutated);
        checked++;
      }
    }
    expect(checked).toBe(fixtures.length * 150);
  }, 180_000);
});

describe('tiered acceptance', () => {
  const route = (i: number, cluster: string): JsonObject => ({
    name: `r${i}`,
    match: { prefix: `/p${i}/` },
    route: { cluster, timeout: '3s' },
  });
  const routeConfig = (routes: JsonObject[]): JsonObject => ({
    '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    name: 'rc',
    virtual_hosts: [{ name: 'a', domains: ['a.example'], routes }],
  });
  const accepts = (json: JsonObject) =>
    fastAccepts(messageDesc(typeNameOfUrl(json['@type'] as string)), json, true);

  it('generates the acceptor of a type judged by the thousand at the next lowering, with the same verdicts', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => route(i, 'quote'));
    const routeType = 'envoy.config.route.v3.Route';
    withAcceptedMemo(() => expect(accepts(routeConfig(many))).toBe(true));
    withAcceptedMemo(() => {
      expect(generatedAcceptorTypes()).toContain(routeType);
      expect(accepts(routeConfig([route(1, 'quote')]))).toBe(true);
      expect(accepts(routeConfig([route(1, 'quote'), route(2, '')]))).toBe(false);
      expect(accepts(routeConfig([{ ...route(3, 'quote'), unknown_field: 1 }]))).toBe(false);
    });
    // A type seen a few times only keeps the walker.
    expect(generatedAcceptorTypes()).not.toContain('envoy.config.route.v3.VirtualHost');
  });
});
