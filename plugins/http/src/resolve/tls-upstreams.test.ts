import {
  compareStrings,
  compile,
  createIncrementalCompiler,
  resourceKey,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpListener, makeCa, makeCertificate, storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import type { HttpMapping } from '../model.js';
import { resultBytes } from '../testing/result-bytes.js';
import { mergeByKey } from './upstreams.js';

// Real certificates, made with openssl for this run (none is committed).
const pairs = [
  makeCertificate({ commonName: 'client-a.example.com', days: 365 }),
  makeCertificate({ commonName: 'client-b.example.com', days: 365 }),
];
const ca = makeCa();
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** What a compile sends and says, and the HTTP model it publishes. */

/** The inputs' state; each distinct state of a resource is one object (a store keeps unchanged ones). */
interface State {
  mappings: Map<number, { version: number; tls: string | undefined }>;
  contexts: Record<string, { version: number; secret: boolean; ca: boolean; present: boolean }>;
  /** The client Secret: which pair, 'broken' (no key), or missing. */
  client: number | 'broken' | 'missing';
  trust: 'ca' | 'missing';
}

const objects = new Map<string, StoredResource>();
const once = (key: string, make: () => StoredResource) => {
  let made = objects.get(key);
  if (made === undefined) {
    made = make();
    objects.set(key, made);
  }
  return made;
};

function inputs(state: State): StoredResource[] {
  const out = [httpListener()];
  for (const [i, m] of state.mappings) {
    out.push(
      once(`mapping ${i} ${m.version} ${m.tls}`, () =>
        storedResource({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Mapping',
          metadata: { name: `m${String(i).padStart(2, '0')}`, namespace: 'default' },
          spec: {
            hostname: '*',
            prefix: `/m${i}/`,
            // Mappings share services (and so upstream keys) in pairs.
            service: `svc-${i >> 1}.default:${8000 + (m.version % 3)}`,
            ...(m.tls !== undefined ? { tls: m.tls } : {}),
          },
        }),
      ),
    );
  }
  for (const [name, c] of Object.entries(state.contexts)) {
    if (!c.present) continue;
    out.push(
      once(`context ${name} ${c.version} ${c.secret} ${c.ca}`, () =>
        storedResource({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'TLSContext',
          metadata: { name, namespace: 'default' },
          spec: {
            sni: `${name}-${c.version % 2}.example.com`,
            ...(c.secret ? { secret: 'client' } : {}),
            ...(c.ca ? { ca_secret: 'trust' } : {}),
          },
        }),
      ),
    );
  }
  if (state.client !== 'missing') {
    const client = state.client;
    out.push(
      once(`client ${client}`, () =>
        storedResource({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'client', namespace: 'default' },
          type: 'kubernetes.io/tls',
          data:
            client === 'broken'
              ? { 'tls.crt': b64(pairs[0]!.cert) }
              : { 'tls.crt': b64(pairs[client]!.cert), 'tls.key': b64(pairs[client]!.key) },
        }),
      ),
    );
  }
  if (state.trust === 'ca') {
    out.push(
      once('trust', () =>
        storedResource({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'trust', namespace: 'default' },
          data: { 'ca.crt': b64(ca.cert) },
        }),
      ),
    );
  }
  return out;
}

describe('TLSContext upstreams kept between compiles', () => {
  it('give what a full compile gives after every random edit (Mappings, TLSContexts, Secrets)', () => {
    const random = seededRandom(33);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const contextNames = ['ctx-a', 'ctx-b', 'ctx-c'];
    const state: State = {
      mappings: new Map(),
      contexts: {
        'ctx-a': { version: 0, secret: true, ca: true, present: true },
        'ctx-b': { version: 0, secret: false, ca: false, present: true },
        'ctx-c': { version: 0, secret: true, ca: false, present: true },
      },
      client: 0,
      trust: 'ca',
    };
    for (let i = 0; i < 24; i++)
      if (random() < 0.7)
        state.mappings.set(i, { version: 0, tls: random() < 0.6 ? pick(contextNames) : undefined });
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    incremental.compile(inputs(state));
    const seen = new Set<string>();
    for (let step = 1; step <= 160; step++) {
      const roll = random();
      if (roll < 0.55) {
        const i = Math.floor(random() * 24);
        const m = state.mappings.get(i);
        const r = random();
        if (m === undefined)
          state.mappings.set(i, { version: step, tls: r < 0.7 ? pick(contextNames) : undefined });
        else if (r < 0.3) state.mappings.delete(i);
        else if (r < 0.7) m.version = step;
        else m.tls = r < 0.9 ? pick(contextNames) : undefined;
        seen.add('mapping');
      } else if (roll < 0.7) {
        const c = state.contexts[pick(contextNames)]!;
        const r = random();
        if (r < 0.4) c.version = step;
        else if (r < 0.6) c.secret = !c.secret;
        else if (r < 0.8) c.ca = !c.ca;
        else c.present = !c.present;
        seen.add('context');
      } else if (roll < 0.88) {
        state.client = pick([0, 1, 'broken', 'missing'] as const);
        seen.add('client');
      } else if (roll < 0.95) {
        state.trust = state.trust === 'ca' ? 'missing' : 'ca';
        seen.add('trust');
      }
      // otherwise nothing changes
      const list = inputs(state);
      expect(resultBytes(incremental.compile(list)), `step ${step}`).toBe(
        resultBytes(compile(list, [httpPlugin, envoyPlugin])),
      );
    }
    expect([...seen].sort()).toEqual(['client', 'context', 'mapping', 'trust']);
  });
});

describe('mergeByKey', () => {
  it('gives what sorting the two lists together by resource key gives', () => {
    const random = seededRandom(5);
    const ref = (namespace: string, name: string) => ({
      ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', namespace, name },
    });
    const byKey = (x: HttpMapping, y: HttpMapping) => compareStrings(resourceKey(x.ref), resourceKey(y.ref));
    for (let round = 0; round < 300; round++) {
      const all = Array.from(
        { length: Math.floor(random() * 30) },
        (_, i) =>
          ref(
            `ns-${Math.floor(random() * 3)}`,
            `m${i}${random() < 0.5 ? '-x' : ''}`,
          ) as unknown as HttpMapping,
      );
      const a = all.filter(() => random() < 0.5).sort(byKey);
      const b = all.filter((m) => !a.includes(m)).sort(byKey);
      expect(mergeByKey(a, b)).toEqual([...a, ...b].sort(byKey));
    }
  });
});
