import { createIncrementalCompiler } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { collectGarbage, httpListener, storedResource, weakly } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { ExtKey } from '../model.js';

const listener = httpListener();
const mapping = (name: string, prefix: string, service = name) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix, service, hostname: '*' },
  });

describe('upstreams kept between compiles', () => {
  it('do not keep every earlier compile’s upstream map alive (each change once named the one before)', async () => {
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const kept = Array.from({ length: 20 }, (_, i) => mapping(`m${i}`, `/m${i}/`));
    const compileWith = (step: number) =>
      incremental.compile([listener, ...kept, mapping('edited', `/edited/`, `svc-${step}`)]);
    compileWith(0);
    // The second compile is incremental: its upstream map is an overlay on the first's.
    const second = weakly(() => compileWith(1).ir.ext[ExtKey.upstreams] as object);
    for (let step = 2; step < 14; step++) compileWith(step);
    await collectGarbage();
    expect(second.deref()).toBeUndefined();
  });
});
