import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic, ResourceRef, StatusReport } from '@attache/core';
import { resourceKey } from '@attache/core';
import { type FakeKubeApiServer, type KubeObject, startFakeKubeApiServer } from '@attache/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubernetesSourceConfig } from './config.js';
import { KubernetesSource } from './kubernetes-source.js';
import { eventually, RecordingStore, silentLogger } from './test-support.js';
import { ambassadorKinds, watchedKinds } from './watched-kinds.js';

const v3 = 'getambassador.io/v3alpha1';

function crd(kind: string, plural: string): KubeObject {
  return {
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
  };
}

const mapping = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: v3,
  kind: 'Mapping',
  metadata: { name, namespace: 'default' },
  spec: { hostname: '*', prefix: `/${name}/`, service: name, ...spec },
});

const service = (
  name: string,
  annotations?: Record<string, string>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) },
  spec: { ports: [{ name: 'http', port: 80 }] },
  ...extra,
});

const secret = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default' },
  type: 'kubernetes.io/tls',
  data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' },
});

function reportFor(entries: Array<[ResourceRef, Partial<Diagnostic>[]]>): StatusReport {
  return {
    byResource: new Map(
      entries.map(([ref, diags]) => [
        resourceKey(ref),
        {
          ref,
          diagnostics: diags.map(
            (d) =>
              ({
                code: 'X',
                severity: 'error',
                message: 'm',
                origin: { plugin: 'http' },
                ...d,
              }) as Diagnostic,
          ),
        },
      ]),
    ),
  };
}

describe('KubernetesSource against the fake API server', () => {
  let server: FakeKubeApiServer;
  let kubeconfig: string;
  const sources: KubernetesSource[] = [];

  beforeEach(async () => {
    server = await startFakeKubeApiServer({ token: 'secret-token', bookmarkIntervalMs: 100 });
    for (const k of ambassadorKinds) server.create(crd(k.kind, k.plural));
    server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'attache-kube-')), 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    await server.stop();
  });

  function startSource(config: Partial<KubernetesSourceConfig> = {}, store = new RecordingStore()) {
    const source = new KubernetesSource({
      config: { kubeconfig, retry: { initialDelayMs: 20, maxDelayMs: 200 }, ...config },
      logger: silentLogger,
      store,
      baseDir: '.',
    });
    sources.push(source);
    void source.start();
    return { source, store };
  }

  it('lists everything before calling synced() and filters by ambassador_id', async () => {
    server.create(mapping('quote'));
    server.create(mapping('other-id', { ambassador_id: ['blue'] }));
    server.create(mapping('any-id', { ambassador_id: '_automatic_' }));
    server.create(service('quote'));
    const { store } = startSource({ ambassadorIds: ['default'] });
    await eventually(() => expect(store.isSynced).toBe(true));
    expect(store.names()).toEqual([
      'Mapping default/any-id',
      'Mapping default/quote',
      'Namespace /default',
      'Service default/quote',
    ]);
    // Without configured ids the source stores everything and leaves the choice to the compiler.
    const unfiltered = startSource();
    await eventually(() => expect(unfiltered.store.names()).toContain('Mapping default/other-id'));
    const stored = store.find('Mapping', 'quote');
    expect(stored?.origin).toEqual({ source: 'source-kubernetes', file: 'kubernetes:Mapping/default/quote' });
    expect(stored?.resource.metadata.resourceVersion).toBeUndefined();
    await eventually(() =>
      expect(server.requests.filter((r) => r.query.watch).length).toBeGreaterThanOrEqual(18),
    );
    const watches = server.requests.filter((r) => r.query.watch);
    expect(
      watches.every((r) => r.query.allowWatchBookmarks === 'true' && r.query.resourceVersion !== undefined),
    ).toBe(true);
  });

  it('follows creates, updates and deletes', async () => {
    const { store } = startSource();
    await eventually(() => expect(store.isSynced).toBe(true));
    server.create(mapping('a'));
    await eventually(() => expect(store.find('Mapping', 'a')).toBeDefined());
    server.apply(mapping('a', { prefix: '/changed/' }));
    await eventually(() => expect(store.find('Mapping', 'a')?.resource.spec?.prefix).toBe('/changed/'));
    server.delete(v3, 'Mapping', 'default', 'a');
    await eventually(() => expect(store.find('Mapping', 'a')).toBeUndefined());
  });

  it('parses Service annotations, inherits namespace and labels, and names the line of a broken document', async () => {
    const annotation = [
      '---',
      'apiVersion: getambassador.io/v2',
      'kind: Mapping',
      'name: legacy',
      'prefix: /legacy/',
      'service: quote',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'metadata: { name: modern }',
      'spec: { prefix: /modern/, service: quote }',
      '---',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'name: broken',
      'prefix: [unclosed',
    ].join('\n');
    const svc = service('quote', { 'getambassador.io/config': annotation });
    svc.metadata.labels = { team: 'a' };
    server.create(svc);
    const { store } = startSource();
    await eventually(() => expect(store.isSynced).toBe(true));
    const legacy = store.find('Mapping', 'legacy');
    expect(legacy?.resource).toMatchObject({
      apiVersion: 'getambassador.io/v2',
      metadata: { name: 'legacy', namespace: 'default', labels: { team: 'a' } },
      spec: { prefix: '/legacy/', service: 'quote' },
    });
    expect(legacy?.origin.parent).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'default',
      name: 'quote',
    });
    expect(store.find('Mapping', 'modern')?.resource.spec).toEqual({ prefix: '/modern/', service: 'quote' });
    expect(store.find('Mapping', 'broken')).toBeUndefined();
    const [diag] = store.diagnostics();
    expect(diag?.code).toBe('KUBERNETES_ANNOTATION_INVALID');
    expect(diag?.resource).toMatchObject({ kind: 'Service', namespace: 'default', name: 'quote' });
    expect(diag?.message).toMatch(/Service default\/quote annotation getambassador.io\/config line 1[67]/);
  });

  it('stores only the Secrets that Hosts, TLSContexts or Ingresses reference, and follows reference changes', async () => {
    server.create(secret('tls-a'));
    server.create(secret('tls-b'));
    server.create(secret('unrelated'));
    server.create({
      apiVersion: v3,
      kind: 'Host',
      metadata: { name: 'h', namespace: 'default' },
      spec: { hostname: 'a.example.com', tlsSecret: { name: 'tls-a' } },
    });
    const { store } = startSource();
    await eventually(() => expect(store.isSynced).toBe(true));
    await eventually(() =>
      expect(store.names().filter((n) => n.startsWith('Secret'))).toEqual(['Secret default/tls-a']),
    );
    server.apply({
      apiVersion: v3,
      kind: 'Host',
      metadata: { name: 'h', namespace: 'default' },
      spec: { hostname: 'a.example.com', tlsSecret: { name: 'tls-b' } },
    });
    await eventually(() =>
      expect(store.names().filter((n) => n.startsWith('Secret'))).toEqual(['Secret default/tls-b']),
    );
    server.create({
      apiVersion: v3,
      kind: 'TLSContext',
      metadata: { name: 'ctx', namespace: 'default' },
      spec: { hosts: ['x'], secret: 'unrelated.default' },
    });
    await eventually(() =>
      expect(store.names().filter((n) => n.startsWith('Secret'))).toEqual([
        'Secret default/tls-b',
        'Secret default/unrelated',
      ]),
    );
    server.delete(v3, 'TLSContext', 'default', 'ctx');
    await eventually(() =>
      expect(store.names().filter((n) => n.startsWith('Secret'))).toEqual(['Secret default/tls-b']),
    );
  });

  it('translates our Ingresses into Hosts and Mappings and writes the load balancer status back', async () => {
    server.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'attache' },
      spec: { controller: 'getambassador.io/ingress-controller' },
    });
    server.create(
      service('edge', undefined, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }),
    );
    server.create(service('web'));
    server.create(secret('web-tls'));
    server.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        ingressClassName: 'attache',
        tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
        defaultBackend: { service: { name: 'web', port: { number: 80 } } },
        rules: [
          {
            host: 'web.example.com',
            http: {
              paths: [
                {
                  path: '/exact',
                  pathType: 'Exact',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
    server.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'not-ours',
        namespace: 'default',
        annotations: { 'kubernetes.io/ingress.class': 'nginx' },
      },
      spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
    });
    const { store } = startSource({ statusService: 'default/edge' });
    await eventually(() => expect(store.isSynced).toBe(true));
    await eventually(() => expect(store.find('Mapping', 'web-0-1')).toBeDefined());
    expect(store.find('Host', 'web-tls-0-0')?.resource.spec).toMatchObject({
      hostname: 'web.example.com',
      tlsSecret: { name: 'web-tls' },
    });
    expect(store.find('Mapping', 'web-0-0')?.resource.spec).toMatchObject({
      hostname: 'web.example.com',
      prefix: '/exact',
      prefix_exact: true,
      service: 'web.default:80',
    });
    expect(store.find('Mapping', 'web-0-1')?.resource.spec).toMatchObject({
      prefix: '/api',
      service: 'web.default:80',
    });
    expect(store.find('Mapping', 'web-default-backend')?.resource.spec).toMatchObject({
      prefix: '/',
      hostname: '*',
    });
    expect(store.find('Mapping', 'web-0-0')?.origin.parent).toMatchObject({ kind: 'Ingress', name: 'web' });
    expect(store.find('Secret', 'web-tls')).toBeDefined();
    expect(store.names().some((n) => n.includes('not-ours'))).toBe(false);
    await eventually(() =>
      expect(server.get('networking.k8s.io/v1', 'Ingress', 'default', 'web')?.status).toEqual({
        loadBalancer: { ingress: [{ ip: '203.0.113.7' }] },
      }),
    );
    expect(server.get('networking.k8s.io/v1', 'Ingress', 'default', 'not-ours')?.status).toBeUndefined();
  });

  it('relists after 410 Gone and sees what changed while it was away', async () => {
    server.create(mapping('stays'));
    server.create(mapping('goes'));
    const { store } = startSource();
    await eventually(() => expect(store.find('Mapping', 'goes')).toBeDefined());
    // The changes happen while the source cannot watch, and the history its watches would
    // resume from is dropped: they come back with a stale resourceVersion and get 410 Gone.
    // (Ending the watches instead races the change events already on their way.)
    const port = server.port;
    await server.stop();
    server.delete(v3, 'Mapping', 'default', 'goes');
    server.create(mapping('new'));
    server.store.compact();
    const before = server.requests.filter((r) => r.path.endsWith('/mappings') && !r.query.watch).length;
    await server.start(port);
    await eventually(() =>
      expect(store.names().filter((n) => n.startsWith('Mapping'))).toEqual([
        'Mapping default/new',
        'Mapping default/stays',
      ]),
    );
    const after = server.requests.filter((r) => r.path.endsWith('/mappings') && !r.query.watch).length;
    expect(after).toBeGreaterThan(before);
  });

  it('recovers from aborted watch connections ("Premature close")', async () => {
    const { store } = startSource();
    await eventually(() => expect(store.isSynced).toBe(true));
    await eventually(() => expect(server.openWatches).toBe(watchedKinds.length));
    server.dropWatches();
    await eventually(() => expect(server.openWatches).toBe(watchedKinds.length));
    server.create(mapping('after-drop'));
    await eventually(() => expect(store.find('Mapping', 'after-drop')).toBeDefined());
  });

  it('keeps its contents while the API server is down and catches up when it returns', async () => {
    server.create(mapping('kept'));
    const { store } = startSource();
    await eventually(() => expect(store.find('Mapping', 'kept')).toBeDefined());
    const port = server.port;
    await server.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(store.find('Mapping', 'kept')).toBeDefined();
    server.create(mapping('while-down'));
    await server.start(port);
    await eventually(() => expect(store.find('Mapping', 'while-down')).toBeDefined());
    expect(store.find('Mapping', 'kept')).toBeDefined();
  });

  it('writes status from compile reports, and never when nothing changed', async () => {
    server.create(mapping('good'));
    server.create(mapping('bad'));
    const { source, store } = startSource();
    await eventually(() => expect(store.find('Mapping', 'bad')).toBeDefined());
    const good: ResourceRef = { apiVersion: v3, kind: 'Mapping', namespace: 'default', name: 'good' };
    const bad: ResourceRef = { apiVersion: v3, kind: 'Mapping', namespace: 'default', name: 'bad' };
    const report = reportFor([
      [good, []],
      [
        bad,
        [{ code: 'MAPPING_SERVICE_MISSING', message: 'spec.service is required; name the upstream Service' }],
      ],
    ]);
    source.status(report);
    await eventually(() => expect(server.get(v3, 'Mapping', 'default', 'bad')?.status).toBeDefined());
    await eventually(() => expect(server.get(v3, 'Mapping', 'default', 'good')?.status).toBeDefined());
    expect(server.get(v3, 'Mapping', 'default', 'good')?.status).toMatchObject({
      state: 'Running',
      conditions: [{ type: 'Accepted', status: 'True', observedGeneration: 1 }],
    });
    expect(server.get(v3, 'Mapping', 'default', 'bad')?.status).toMatchObject({
      state: 'Error',
      reason: 'MAPPING_SERVICE_MISSING: spec.service is required; name the upstream Service',
      conditions: [{ type: 'Accepted', status: 'False', reason: 'MAPPING_SERVICE_MISSING' }],
    });
    const statusWrites = () => server.requests.filter((r) => r.path.endsWith('/status')).length;
    const writes = statusWrites();
    expect(writes).toBe(2);
    // The status writes come back as watch events; they must not change the store.
    const storeWrites = store.writes;
    await new Promise((r) => setTimeout(r, 200));
    expect(store.writes).toBe(storeWrites);
    source.status(report);
    await source.statusIdle();
    expect(statusWrites()).toBe(writes);
  });

  it('writes status only from the replica holding the Lease, and hands over when it stops', async () => {
    server.create(mapping('m'));
    const election = (identity: string) => ({
      enabled: true,
      leaseNamespace: 'default',
      identity,
      leaseDurationSeconds: 2,
      retryPeriodSeconds: 0.1,
    });
    const a = startSource({ leaderElection: election('a') });
    await eventually(() => expect(a.source.leading).toBe(true));
    const b = startSource({ leaderElection: election('b') });
    await eventually(() => expect(b.store.find('Mapping', 'm')).toBeDefined());
    const ref: ResourceRef = { apiVersion: v3, kind: 'Mapping', namespace: 'default', name: 'm' };
    b.source.status(reportFor([[ref, [{ code: 'B_SAYS' }]]]));
    await b.source.statusIdle();
    expect(server.get(v3, 'Mapping', 'default', 'm')?.status).toBeUndefined();
    a.source.status(reportFor([[ref, [{ code: 'A_SAYS' }]]]));
    await eventually(() =>
      expect(server.get(v3, 'Mapping', 'default', 'm')?.status).toMatchObject({
        state: 'Error',
        reason: 'A_SAYS: m',
      }),
    );
    expect(server.get('coordination.k8s.io/v1', 'Lease', 'default', 'attache-status')?.spec).toMatchObject({
      holderIdentity: 'a',
    });
    await a.source.stop();
    await eventually(() => expect(b.source.leading).toBe(true));
    // On becoming leader, b writes its last report.
    await eventually(() =>
      expect(server.get(v3, 'Mapping', 'default', 'm')?.status).toMatchObject({ reason: 'B_SAYS: m' }),
    );
  });

  it('watches one namespace and applies label selectors to config-bearing kinds', async () => {
    server.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    server.create({
      ...mapping('in-default'),
      metadata: { name: 'in-default', namespace: 'default', labels: { edge: 'yes' } },
    });
    server.create({ ...mapping('unlabelled') });
    server.create({
      ...mapping('elsewhere'),
      metadata: { name: 'elsewhere', namespace: 'other', labels: { edge: 'yes' } },
    });
    const { store } = startSource({ namespace: 'default', labelSelector: 'edge=yes' });
    await eventually(() => expect(store.isSynced).toBe(true));
    expect(store.names()).toEqual(['Mapping default/in-default', 'Namespace /default']);
  });
});
