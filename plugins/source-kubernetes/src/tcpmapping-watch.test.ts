import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeKubeApiServer, type KubeObject, startFakeKubeApiServer } from '@attache/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesSource } from './kubernetes-source.js';
import { eventually, RecordingStore, silentLogger } from './test-support.js';
import { ambassadorKinds } from './watched-kinds.js';

const v3 = 'getambassador.io/v3alpha1';

const crd = (kind: string, plural: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.getambassador.io` },
  spec: {
    group: 'getambassador.io',
    scope: 'Namespaced',
    names: { plural, singular: kind.toLowerCase(), kind },
    versions: [
      {
        name: 'v3alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

const tcpMapping = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: v3,
  kind: 'TCPMapping',
  metadata: { name, namespace: 'default' },
  spec,
});

/** The Kubernetes source watches TCPMappings (feature-tcp's kind) like every getambassador.io kind. */
describe('KubernetesSource and TCPMappings', () => {
  let server: FakeKubeApiServer;
  let source: KubernetesSource | undefined;

  beforeEach(async () => {
    server = await startFakeKubeApiServer({ token: 't', bookmarkIntervalMs: 100 });
    for (const k of ambassadorKinds) server.create(crd(k.kind, k.plural));
  });
  afterEach(async () => {
    await source?.stop();
    await server.stop();
  });

  it('lists, follows and deletes TCPMappings, and reads v2 ones from Service annotations', async () => {
    expect(ambassadorKinds).toContainEqual({ kind: 'TCPMapping', plural: 'tcpmappings' });
    server.create(tcpMapping('postgres', { port: 5432, service: 'postgres.db:5432' }));
    server.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'redis',
        namespace: 'default',
        annotations: {
          'getambassador.io/config': [
            '---',
            'apiVersion: getambassador.io/v2',
            'kind: TCPMapping',
            'name: redis-tcp',
            'port: 6380',
            'service: redis:6379',
          ].join('\n'),
        },
      },
      spec: { ports: [{ name: 'redis', port: 6379 }] },
    });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'attache-kube-')), 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    const store = new RecordingStore();
    source = new KubernetesSource({
      config: { kubeconfig, retry: { initialDelayMs: 20, maxDelayMs: 200 } },
      logger: silentLogger,
      store,
      baseDir: '.',
    });
    void source.start();
    await eventually(() => expect(store.isSynced).toBe(true));
    expect(store.find('TCPMapping', 'postgres')?.resource.spec).toEqual({
      port: 5432,
      service: 'postgres.db:5432',
    });
    const fromAnnotation = store.find('TCPMapping', 'redis-tcp');
    expect(fromAnnotation?.resource.apiVersion).toBe('getambassador.io/v2');
    expect(fromAnnotation?.resource.spec).toMatchObject({ port: 6380, service: 'redis:6379' });

    server.apply(tcpMapping('postgres', { port: 5433, service: 'postgres.db:5432' }));
    await eventually(() => expect(store.find('TCPMapping', 'postgres')?.resource.spec?.port).toBe(5433));
    server.delete(v3, 'TCPMapping', 'default', 'postgres');
    await eventually(() => expect(store.find('TCPMapping', 'postgres')).toBeUndefined());
  });
});
