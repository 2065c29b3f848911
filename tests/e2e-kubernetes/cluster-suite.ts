import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CompileResult, compile } from '../../packages/core/src/index.js';
import { envoyPlugin } from '../../packages/envoy/src/index.js';
import { buildStatusReport } from '../../packages/runtime/src/status-report.js';
import { loggingPlugin } from '../../plugins/feature-logging/src/index.js';
import { tracingPlugin } from '../../plugins/feature-tracing/src/index.js';
import { httpPlugin } from '../../plugins/http/src/index.js';
import { KubeClient, KubernetesSource, loadKubeConfig } from '../../plugins/source-kubernetes/src/index.js';
import {
  eventually,
  RecordingStore,
  silentLogger,
} from '../../plugins/source-kubernetes/src/test-support.js';
import { loadManifests } from '../../tools/crdgen/src/index.js';

/** What these tests write and read back: any object with the usual envelope. */
interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The status fields the tests read: Attaché's resource status and an Ingress's load balancer. */
interface KubeStatus {
  state?: string;
  reason?: string;
  loadBalancer?: { ingress?: unknown };
}

const execFileAsync = promisify(execFile);

/** deploy/'s Namespace and getambassador.io resources (its Listeners), created before the source starts. */
const deployedEdgeObjects = () =>
  loadManifests(deployDir).filter((m) => m.kind === 'Namespace' || m.apiVersion === v3);
const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');
const v3 = 'getambassador.io/v3alpha1';

/** What a test needs from a cluster: a kubeconfig, and a way to crash and restart its API server. */
export interface TestCluster {
  kubeconfig(): string;
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  /** Whether the server publishes OpenAPI, so kubectl can validate client-side (the fake does not). */
  servesOpenApi: boolean;
}

function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const path = (apiVersion: string, plural: string, namespace?: string, name?: string, sub?: string) =>
  `${apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;

/**
 * The end-to-end story, against any API server: install deploy/'s CRDs, run
 * the source, change Mappings, Hosts, annotated Services, Secrets and
 * Ingresses, compile what the store holds with the http and envoy plugins,
 * write status back, and survive an API server restart.
 */
export function defineClusterSuite(cluster: () => TestCluster): void {
  let client: KubeClient;
  let source: KubernetesSource;
  const store = new RecordingStore();
  let lastResult: CompileResult | undefined;

  const compileStore = (): CompileResult => {
    lastResult = compile(store.all(), [httpPlugin, envoyPlugin]);
    return lastResult;
  };
  const routesText = () => JSON.stringify(compileStore().xds);
  const create = (obj: KubeObject, plural: string) =>
    client.request('POST', path(obj.apiVersion, plural, obj.metadata.namespace), obj);
  const patch = (apiVersion: string, plural: string, name: string, body: unknown) =>
    client.request('PATCH', path(apiVersion, plural, 'default', name), body, 'application/merge-patch+json');
  const remove = (apiVersion: string, plural: string, name: string) =>
    client.request('DELETE', path(apiVersion, plural, 'default', name));
  const getObj = (apiVersion: string, plural: string, name: string) =>
    client.request<KubeObject & { status?: KubeStatus }>('GET', path(apiVersion, plural, 'default', name));

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'attache-e2e-kc-')), 'kubeconfig');
    writeFileSync(file, cluster().kubeconfig());
    client = new KubeClient(loadKubeConfig({ kubeconfig: file }));
    for (const crd of loadManifests(deployDir).filter((m) => m.kind === 'CustomResourceDefinition')) {
      const { file: _f, ...body } = crd;
      await client.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', body);
    }
    // The API server establishes CRDs asynchronously: wait until each one serves.
    for (const crd of loadManifests(deployDir).filter((m) => m.kind === 'CustomResourceDefinition')) {
      const plural = (crd.spec as { names: { plural: string } }).names.plural;
      await eventually(() => client.request('GET', `/apis/${v3}/${plural}`), 60_000);
    }
    await client.request('GET', '/api/v1/namespaces/default').catch(() =>
      client.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default' },
      }),
    );
    // deploy/'s own Namespace and Listeners, as `kubectl apply -f deploy/` creates them: the
    // edge must work with nothing else (no Listener of the test's own).
    for (const m of deployedEdgeObjects()) {
      const { file: _f, ...body } = m;
      await create(body as KubeObject, m.kind === 'Namespace' ? 'namespaces' : 'listeners');
    }
    source = new KubernetesSource({
      config: {
        kubeconfig: file,
        retry: { initialDelayMs: 50, maxDelayMs: 1000 },
        statusService: 'default/edge',
      },
      logger: silentLogger,
      store,
      baseDir: '.',
    });
    await source.start();
    await eventually(() => expect(store.isSynced).toBe(true), 60_000);
  }, 180_000);

  afterAll(async () => {
    await source?.stop();
  });

  it('compiles a Mapping, follows its updates and its deletion', async () => {
    await create(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'quote', namespace: 'default' },
        spec: { ports: [{ name: 'http', port: 80 }] },
      },
      'services',
    );
    await create(
      {
        apiVersion: v3,
        kind: 'Mapping',
        metadata: { name: 'quote', namespace: 'default' },
        spec: { hostname: '*', prefix: '/quote/', service: 'quote' },
      },
      'mappings',
    );
    await eventually(() => expect(routesText()).toContain('/quote/'), 20_000);
    await patch(v3, 'mappings', 'quote', { spec: { prefix: '/quote-v2/' } });
    await eventually(() => expect(routesText()).toContain('/quote-v2/'), 20_000);
    expect(routesText()).not.toContain('"/quote/"');
    await remove(v3, 'mappings', 'quote');
    await eventually(() => expect(routesText()).not.toContain('/quote-v2/'), 20_000);
  });

  it('watches LogServices and TracingServices: with their plugins they become a gRPC access log and tracing', async () => {
    await create(
      {
        apiVersion: v3,
        kind: 'LogService',
        metadata: { name: 'als', namespace: 'default' },
        spec: { service: 'als.logging:9001', driver: 'http', grpc: true, protocol_version: 'v3' },
      },
      'logservices',
    );
    await create(
      {
        apiVersion: v3,
        kind: 'TracingService',
        metadata: { name: 'tracing', namespace: 'default' },
        spec: { service: 'zipkin.observability:9411', driver: 'zipkin', sampling: { random: 10 } },
      },
      'tracingservices',
    );
    const observed = () =>
      JSON.stringify(compile(store.all(), [httpPlugin, loggingPlugin, tracingPlugin, envoyPlugin]).xds);
    await eventually(() => {
      expect(observed()).toContain('envoy.access_loggers.http_grpc');
      expect(observed()).toContain('envoy.tracers.zipkin');
    }, 20_000);
    await remove(v3, 'logservices', 'als');
    await remove(v3, 'tracingservices', 'tracing');
    await eventually(() => expect(observed()).not.toMatch(/http_grpc|envoy\.tracers\.zipkin/), 20_000);
  });

  it("stores an Emissary TracingService with driver lightstep, so the compiler's diagnostic can say what to use instead", async () => {
    // The CRD's driver enum keeps lightstep: were it refused by the API server, the user would get an
    // enum error at apply time instead of TRACING_DRIVER_UNSUPPORTED and its fix.
    await create(
      {
        apiVersion: v3,
        kind: 'TracingService',
        metadata: { name: 'lightstep', namespace: 'default' },
        spec: { service: 'lightstep.observability:8360', driver: 'lightstep' },
      },
      'tracingservices',
    );
    const refused = () =>
      compile(store.all(), [httpPlugin, tracingPlugin, envoyPlugin]).diagnostics.find(
        (d) => d.code === 'TRACING_DRIVER_UNSUPPORTED',
      );
    await eventually(() => {
      expect(refused()?.resource).toMatchObject({ kind: 'TracingService', name: 'lightstep' });
      expect(refused()?.message).toContain('opentelemetry');
    }, 20_000);
    await remove(v3, 'tracingservices', 'lightstep');
    await eventually(() => expect(refused()).toBeUndefined(), 20_000);
  });

  it("compiles the Mappings in a Service's getambassador.io/config annotation", async () => {
    const annotation =
      'apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nname: annotated\nhostname: "*"\nprefix: /annotated/\nservice: annotated\n';
    await create(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'annotated',
          namespace: 'default',
          annotations: { 'getambassador.io/config': annotation },
        },
        spec: { ports: [{ port: 80 }] },
      },
      'services',
    );
    await eventually(() => expect(routesText()).toContain('/annotated/'), 20_000);
    await patch('v1', 'services', 'annotated', {
      metadata: { annotations: { 'getambassador.io/config': 'kind: [' } },
    });
    await eventually(
      () => expect(store.diagnostics().map((d) => d.code)).toContain('KUBERNETES_ANNOTATION_INVALID'),
      20_000,
    );
    expect(routesText()).not.toContain('/annotated/');
  });

  it('passes a Host its TLS Secret only once the Host references it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-e2e-tls-'));
    const [crt, key] = [join(dir, 'tls.crt'), join(dir, 'tls.key')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        crt,
        '-days',
        '2',
        '-subj',
        '/CN=site.example.com',
      ],
      { stdio: 'ignore' },
    );
    const b64 = (f: string) => readFileSync(f).toString('base64');
    await create(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'site-tls', namespace: 'default' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': b64(crt), 'tls.key': b64(key) },
      },
      'secrets',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(store.find('Secret', 'site-tls')).toBeUndefined();
    await create(
      {
        apiVersion: v3,
        kind: 'Host',
        metadata: { name: 'site', namespace: 'default' },
        spec: { hostname: 'site.example.com', tlsSecret: { name: 'site-tls' } },
      },
      'hosts',
    );
    await eventually(() => expect(store.find('Secret', 'site-tls')).toBeDefined(), 20_000);
    const hostErrors = compileStore().diagnostics.filter(
      (d) => d.resource?.name === 'site' && d.code === 'HOST_SECRET_MISSING',
    );
    expect(hostErrors.map((d) => d.message)).toEqual([]);
  });

  it('routes an Ingress of our class and writes its load balancer status', { timeout: 60_000 }, async () => {
    await create(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'attache-e2e' },
        spec: { controller: 'getambassador.io/ingress-controller' },
      },
      'ingressclasses',
    );
    await create(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'edge', namespace: 'default' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      },
      'services',
    );
    await client.request(
      'PATCH',
      path('v1', 'services', 'default', 'edge', 'status'),
      { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } },
      'application/merge-patch+json',
    );
    await create(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'shop', namespace: 'default' },
        spec: {
          ingressClassName: 'attache-e2e',
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/shop',
                    pathType: 'Prefix',
                    backend: { service: { name: 'quote', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
      'ingresses',
    );
    await eventually(() => expect(store.names()).toContain('Host default/shop-host-0'), 20_000);
    await eventually(() => expect(routesText()).toContain('/shop'), 20_000);
    await eventually(async () => {
      const ing = await getObj('networking.k8s.io/v1', 'ingresses', 'shop');
      expect(ing.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10' }]);
    }, 20_000);
  });

  it('writes compile results back as status: Running for good resources, Error with the code for bad ones', async () => {
    await create(
      {
        apiVersion: v3,
        kind: 'Mapping',
        metadata: { name: 'good', namespace: 'default' },
        spec: { hostname: '*', prefix: '/good/', service: 'quote' },
      },
      'mappings',
    );
    await create(
      {
        apiVersion: v3,
        kind: 'Mapping',
        metadata: { name: 'bad', namespace: 'default' },
        spec: { hostname: '*', prefix: '/bad/', service: 'quote', tls: 'no-such-context' },
      },
      'mappings',
    );
    await eventually(() => expect(store.find('Mapping', 'bad')).toBeDefined(), 20_000);
    const result = compileStore();
    expect(result.diagnostics.some((d) => d.resource?.name === 'bad' && d.severity === 'error')).toBe(true);
    source.status(buildStatusReport(store.all(), result.diagnostics));
    await eventually(async () => {
      const good = await getObj(v3, 'mappings', 'good');
      const bad = await getObj(v3, 'mappings', 'bad');
      expect(good.status?.state).toBe('Running');
      expect(bad.status?.state).toBe('Error');
      expect(bad.status?.reason).toMatch(/^MAPPING_TLS_CONTEXT_UNKNOWN: /);
    }, 20_000);
    expect(routesText()).toContain('/good/');
  });

  it('keeps the last good contents while the API server is down and recovers by itself', async () => {
    const before = store.names();
    await cluster().stopApiServer();
    await new Promise((r) => setTimeout(r, 1000));
    expect(store.names()).toEqual(before);
    await cluster().startApiServer();
    await create(
      {
        apiVersion: v3,
        kind: 'Mapping',
        metadata: { name: 'after-restart', namespace: 'default' },
        spec: { hostname: '*', prefix: '/after-restart/', service: 'quote' },
      },
      'mappings',
    );
    await eventually(() => expect(routesText()).toContain('/after-restart/'), 60_000);
    expect(lastResult?.diagnostics.filter((d) => d.code === 'PASS_FAILED')).toEqual([]);
  }, 120_000);

  it("serves deploy/'s default Listeners: Envoy gets listeners on 8080 (HTTP) and 8443 (HTTPS)", async () => {
    await eventually(() => {
      const listeners = compileStore().xds['type.googleapis.com/envoy.config.listener.v3.Listener'];
      const ports = listeners
        .map((l) => (l.resource as { address?: { socket_address?: { port_value?: number } } }).address)
        .map((a) => a?.socket_address?.port_value)
        .sort();
      expect(ports).toEqual([8080, 8443]);
      expect(listeners.map((l) => l.provenance.map((p) => `${p.kind} ${p.namespace}/${p.name}`))).toEqual(
        expect.arrayContaining([
          expect.arrayContaining(['Listener attache/attache-listener-8080']),
          expect.arrayContaining(['Listener attache/attache-listener-8443']),
        ]),
      );
    }, 20_000);
    expect(lastResult?.diagnostics.filter((d) => d.resource?.kind === 'Listener')).toEqual([]);
  });

  it('accepts every other object of deploy/ (RBAC, ConfigMaps, Deployments, Services)', async () => {
    const plural = (kind: string) =>
      kind.endsWith('Class') ? `${kind.toLowerCase()}es` : `${kind.toLowerCase()}s`;
    const createdFirst = new Set(deployedEdgeObjects().map((m) => `${m.kind} ${m.metadata.name}`));
    const others = loadManifests(deployDir).filter(
      (m) => m.kind !== 'CustomResourceDefinition' && !createdFirst.has(`${m.kind} ${m.metadata.name}`),
    );
    for (const m of others) {
      const { file, ...body } = m;
      await client
        .request('POST', path(m.apiVersion, plural(m.kind), m.metadata.namespace), body)
        .catch((err: Error) => {
          throw new Error(`${file}: ${m.kind} ${m.metadata.name}: ${err.message}`);
        });
    }
    const role = await client.request<{ rules: unknown[] }>(
      'GET',
      path('rbac.authorization.k8s.io/v1', 'clusterroles', undefined, 'attache'),
    );
    expect(role.rules.length).toBeGreaterThan(0);
  });

  it.skipIf(!kubectlAvailable())(
    'kubectl apply -f deploy/ succeeds (again: it is idempotent)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'attache-e2e-kubectl-'));
      writeFileSync(join(dir, 'kubeconfig'), cluster().kubeconfig());
      const args = [
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--cache-dir',
        join(dir, 'cache'),
        'apply',
        '-f',
        deployDir,
      ];
      if (!cluster().servesOpenApi) args.push('--validate=false');
      // stderr carries kubectl's "missing last-applied-configuration" notes for the objects the test created by POST.
      // Asynchronously: the fake API server answers from this very process.
      const { stdout: out } = await execFileAsync('kubectl', args, { encoding: 'utf8' });
      expect(out).toContain('customresourcedefinition.apiextensions.k8s.io/mappings.getambassador.io');
      expect(out).toContain('deployment.apps/attache');
    },
    60_000,
  );
}
