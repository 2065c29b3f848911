import { createIncrementalCompiler } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { collectGarbage, httpListener, storedResource, weakly } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

const listener = httpListener();
const host = storedResource({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Host',
  metadata: { name: 'a', namespace: 'default' },
  spec: { hostname: 'a.example.com', requestPolicy: { insecure: { action: 'Route' } } },
});
const mapping = (name: string, prefix: string) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix, service: name, hostname: '*' },
  });

describe('route groups kept between compiles', () => {
  it('do not keep the IR of the compile that made them', async () => {
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const kept = Array.from({ length: 20 }, (_, i) => mapping(`m${i}`, `/m${i}/`));
    // The groups of these Mappings are made in this compile and kept by every later one.
    const first = weakly(() => incremental.compile([listener, host, ...kept]).ir);
    for (let step = 0; step < 4; step++) {
      incremental.compile([listener, host, ...kept, mapping('edited', `/edited/${step}/`)]);
    }
    await collectGarbage();
    expect(first.deref()).toBeUndefined();
  });
});
