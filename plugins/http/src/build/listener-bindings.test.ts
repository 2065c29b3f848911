import { compile, createIncrementalCompiler, type StoredResource, seededRandom } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { resultBytes } from '../testing/result-bytes.js';

// One object per content, as a store keeps an unchanged resource's object.
const objects = new Map<string, StoredResource>();
const once = (resource: Record<string, unknown>): StoredResource => {
  const key = JSON.stringify(resource);
  let made = objects.get(key);
  if (made === undefined) {
    made = storedResource(resource);
    objects.set(key, made);
  }
  return made;
};

const bindings = [
  { namespace: { from: 'ALL' } },
  { namespace: { from: 'SELF' } },
  { namespace: { from: 'SELECTOR' }, selector: { matchLabels: { edge: 'yes' } } },
  { namespace: { from: 'ALL' }, selector: { matchLabels: { tier: 'front' } } },
];

describe('the Hosts each Listener binds, kept between compiles', () => {
  it('give what a full compile gives after every random edit (Hosts, Listeners, Namespaces)', () => {
    const random = seededRandom(41);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const namespaces = ['ns-a', 'ns-b'];
    const state = {
      nsLabels: { 'ns-a': true, 'ns-b': false } as Record<string, boolean>,
      hosts: Array.from({ length: 6 }, (_, i) => ({
        ns: namespaces[i % 2]!,
        front: i % 3 === 0,
        present: true,
      })),
      listeners: [0, 3],
    };
    const inputs = () => {
      const out: StoredResource[] = [];
      for (const ns of namespaces) {
        out.push(
          once({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: ns, labels: state.nsLabels[ns] ? { edge: 'yes' } : {} },
          }),
        );
      }
      state.listeners.forEach((b, i) => {
        out.push(
          once({
            apiVersion: 'getambassador.io/v3alpha1',
            kind: 'Listener',
            metadata: { name: `l${i}`, namespace: 'ns-a' },
            spec: { port: 8080 + i, protocol: 'HTTP', securityModel: 'XFP', hostBinding: bindings[b] },
          }),
        );
      });
      state.hosts.forEach((h, i) => {
        if (!h.present) return;
        out.push(
          once({
            apiVersion: 'getambassador.io/v3alpha1',
            kind: 'Host',
            metadata: { name: `h${i}`, namespace: h.ns, labels: h.front ? { tier: 'front' } : {} },
            spec: { hostname: `h${i}.example.com`, requestPolicy: { insecure: { action: 'Route' } } },
          }),
        );
      });
      for (let m = 0; m < 8; m++) {
        out.push(
          once({
            apiVersion: 'getambassador.io/v3alpha1',
            kind: 'Mapping',
            metadata: { name: `m${m}`, namespace: 'ns-a' },
            spec: {
              hostname: m % 4 === 0 ? '*' : `h${m % 6}.example.com`,
              prefix: `/m${m}/`,
              service: `s${m}`,
            },
          }),
        );
      }
      return out;
    };
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    incremental.compile(inputs());
    const seen = new Set<string>();
    for (let step = 1; step <= 200; step++) {
      const roll = random();
      if (roll < 0.3) {
        const h = pick(state.hosts);
        h.front = !h.front;
        seen.add('host labels');
      } else if (roll < 0.45) {
        const h = pick(state.hosts);
        h.ns = h.ns === 'ns-a' ? 'ns-b' : 'ns-a';
        seen.add('host namespace');
      } else if (roll < 0.55) {
        const h = pick(state.hosts);
        h.present = !h.present;
        seen.add('host present');
      } else if (roll < 0.7) {
        const ns = pick(namespaces);
        state.nsLabels[ns] = !state.nsLabels[ns];
        seen.add('namespace labels');
      } else if (roll < 0.85) {
        state.listeners[Math.floor(random() * 2)] = Math.floor(random() * bindings.length);
        seen.add('listener binding');
      }
      // otherwise nothing changes (a kept binding)
      const list = inputs();
      expect(resultBytes(incremental.compile(list)), `step ${step}`).toBe(
        resultBytes(compile(list, [httpPlugin, envoyPlugin])),
      );
    }
    expect(seen.size).toBe(5);
  });
});
