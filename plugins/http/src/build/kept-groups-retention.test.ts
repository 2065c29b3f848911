import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createIncrementalCompiler, type IR, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});
const listener = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name: 'http', namespace: 'default' },
  spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
});
const host = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Host',
  metadata: { name: 'a', namespace: 'default' },
  spec: { hostname: 'a.example.com', requestPolicy: { insecure: { action: 'Route' } } },
});
const mapping = (name: string, prefix: string) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix, service: name, hostname: '*' },
  });

/** A weak reference made outside the test's async frame (which would keep its locals alive). */
function weakIr(make: () => IR): WeakRef<IR> {
  return new WeakRef(make());
}

describe('route groups kept between compiles', () => {
  it('do not keep the IR of the compile that made them', async () => {
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const kept = Array.from({ length: 20 }, (_, i) => mapping(`m${i}`, `/m${i}/`));
    // The groups of these Mappings are made in this compile and kept by every later one.
    const first = weakIr(() => incremental.compile([listener, host, ...kept]).ir);
    for (let step = 0; step < 4; step++) {
      incremental.compile([listener, host, ...kept, mapping('edited', `/edited/${step}/`)]);
    }
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(first.deref()).toBeUndefined();
  });
});
