import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createIncrementalCompiler, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { ExtKey } from '../model.js';

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
const mapping = (name: string, prefix: string, service = name) =>
  stored({
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
    const second = ((step) => new WeakRef(compileWith(step).ir.ext[ExtKey.upstreams] as object))(1);
    for (let step = 2; step < 14; step++) compileWith(step);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(second.deref()).toBeUndefined();
  });
});
