import { seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import type { JsonObject, JsonValue } from './testing/validation-corpus.js';
import { checkResource } from './validate.js';
import { fastAccepts } from './validate-fast.js';
import { compileValueCheck, elementType, fieldRuleFields } from './validate-rules.js';
import { Walker } from './validate-walker.js';

// (The descriptors validateResource gives it: the build's table, fast-descriptors.ts.)
const fast = (json: JsonObject) => fastAccepts(fastMessageOfTypeUrl(json['@type'] as string)!, json, true);
const authoritative = (json: JsonObject) => checkResource(json).ok;

const pieces = [
  '',
  'a',
  'svc-1.team-1',
  ' ',
  '\n',
  'é',
  '😀',
  '\ud800',
  '\udfff',
  'x y',
  ':method',
  'A_b-0',
  '\u0000',
];
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A random value for a string field: mostly strings (empty, one code unit, surrogate pairs, long),
 * sometimes not one. `wellFormed`: no lone surrogate (protobuf's JSON decoding refuses those as
 * invalid UTF-8, the fast path judges only the rules: see the second test).
 */
function randomValue(random: () => number, wellFormed = false): JsonValue {
  const r = random();
  if (r < 0.06) return [0, 1, true, null, [], {}][Math.floor(random() * 6)]!;
  let s = '';
  const n = r < 0.3 ? 1 : Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const piece = pieces[Math.floor(random() * pieces.length)]!;
    if (!wellFormed || !loneSurrogate.test(piece)) s += piece;
  }
  if (wellFormed && loneSurrogate.test(s)) return 'a';
  return s;
}

/** Resources whose string fields have min_len 1 as their only rule (and one beside them that has more). */
function resource(random: () => number): JsonObject {
  const v = () => randomValue(random, true);
  switch (Math.floor(random() * 3)) {
    case 0:
      return {
        '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
        cluster_name: v(),
        endpoints: [
          {
            lb_endpoints: [{ endpoint: { address: { socket_address: { address: v(), port_value: 8080 } } } }],
          },
        ],
      };
    case 1:
      return {
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        name: v(),
        connect_timeout: '3s',
      };
    default:
      return {
        '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
        name: 'r',
        virtual_hosts: [
          {
            domains: ['*'],
            name: 'vh',
            routes: [
              {
                // HeaderMatcher.name has min_len 1 and a header-name rule: not judged as a plain non-empty string.
                match: { headers: [{ name: v(), present_match: true }], prefix: '/' },
                name: 'a',
                route: { cluster: v() },
              },
            ],
          },
        ],
      };
  }
}

describe('fast validation path, strings whose only rule is min_len 1', () => {
  it('are accepted exactly when the authoritative check accepts them (random strings, empty ones, surrogate pairs, other types)', () => {
    const random = seededRandom(1517);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const json = resource(random);
      const ok = authoritative(json);
      expect(fast(json), JSON.stringify(json)).toBe(ok);
      if (ok) accepted++;
      else refused++;
    }
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  }, 120_000);

  it('judge any string as the field’s rule check does, lone surrogates included', () => {
    const desc = fastMessageOfTypeUrl('type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment')!;
    const field = desc.fields.find((f) => f.name === 'cluster_name')!;
    const check = compileValueCheck(fieldRuleFields(field), elementType(field), undefined, {
      unboxedWrapper: true,
      descend: false,
    })!;
    const rule = (value: string) => {
      const w = new Walker();
      check(value, w);
      return w.issues.length === 0;
    };
    const random = seededRandom(1518);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const name = randomValue(random);
      const json = {
        '@type': 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
        cluster_name: name,
      };
      const expected = typeof name === 'string' && rule(name);
      if (!expected) refused++;
      expect(fast(json), JSON.stringify(name)).toBe(expected);
    }
    expect(refused).toBeGreaterThan(300);
  });
});
