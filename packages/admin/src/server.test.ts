import { type Diagnostic, emptyXdsResources, type Snapshot, TypeUrl } from '@attache/core';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdminState } from './admin-state.js';
import { type AdminServer, createAdminServer } from './server.js';

const mapping = {
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  namespace: 'default',
  name: 'quote',
};
const host = { apiVersion: 'getambassador.io/v3alpha1', kind: 'Host', namespace: 'edge', name: 'example' };

const diagnostics: Diagnostic[] = [
  {
    code: 'MAPPING_SERVICE_MISSING',
    severity: 'error',
    message: 'spec.service is missing; set it to <name>.<namespace>:<port>',
    resource: mapping,
    path: '/spec/service',
    origin: { plugin: 'http', pass: 'http.mappings' },
  },
  {
    code: 'HOST_TLS_SECRET_MISSING',
    severity: 'warning',
    message: 'secret "<script>alert(1)</script>" not found',
    resource: host,
    path: '/spec/tlsSecret/name',
    origin: { plugin: 'http' },
  },
];

function testSnapshot(): Snapshot {
  const resources = emptyXdsResources();
  resources[TypeUrl.Cluster].push({
    typeUrl: TypeUrl.Cluster,
    name: 'cluster_quote_default',
    resource: { '@type': TypeUrl.Cluster, name: 'cluster_quote_default' },
    version: 'v-cluster',
    provenance: [mapping],
  });
  resources[TypeUrl.Secret].push({
    typeUrl: TypeUrl.Secret,
    name: 'edge/example-tls',
    resource: {
      '@type': TypeUrl.Secret,
      name: 'edge/example-tls',
      tlsCertificate: {
        certificateChain: { inlineString: 'CERT' },
        privateKey: { inlineString: 'TOP-SECRET-KEY' },
      },
    },
    version: 'v-secret',
    provenance: [host],
  });
  return { group: 'default', serial: 7, version: 'snap-v7', resources, diagnostics };
}

class MutableState implements AdminState {
  current: Snapshot | undefined;
  streamList: unknown[] = [];
  metrics: Registry | undefined;
  snapshot(group?: string) {
    return group === undefined || group === this.current?.group ? this.current : undefined;
  }
  diagnostics() {
    return this.current?.diagnostics ?? [];
  }
  streams() {
    return this.streamList;
  }
}

describe('admin server over HTTP', () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(state: AdminState): Promise<string> {
    server = createAdminServer({ address: '127.0.0.1:0', state });
    const bound = await server.listen();
    expect(bound.host).toBe('127.0.0.1');
    expect(bound.port).toBeGreaterThan(0);
    return bound.url;
  }

  it('is live at once and ready only once a snapshot exists', async () => {
    const state = new MutableState();
    const url = await start(state);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect((await fetch(`${url}/api/snapshot`)).status).toBe(404);
    state.current = testSnapshot();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, serial: 7, version: 'snap-v7' });
  });

  it('filters diagnostics by kind, namespace, name and severity, and rejects an unknown severity', async () => {
    const state = new MutableState();
    state.current = testSnapshot();
    const url = await start(state);
    const all = (await (await fetch(`${url}/api/diagnostics`)).json()) as {
      count: number;
      diagnostics: Diagnostic[];
    };
    expect(all.count).toBe(2);
    const byKind = (await (await fetch(`${url}/api/diagnostics?kind=Host`)).json()) as {
      diagnostics: Diagnostic[];
    };
    expect(byKind.diagnostics.map((d) => d.code)).toEqual(['HOST_TLS_SECRET_MISSING']);
    const byNameAndNs = (await (
      await fetch(`${url}/api/diagnostics?namespace=default&name=quote`)
    ).json()) as {
      diagnostics: Diagnostic[];
    };
    expect(byNameAndNs.diagnostics.map((d) => d.code)).toEqual(['MAPPING_SERVICE_MISSING']);
    const errors = (await (await fetch(`${url}/api/diagnostics?severity=error`)).json()) as { count: number };
    expect(errors.count).toBe(1);
    const none = (await (await fetch(`${url}/api/diagnostics?kind=Mapping&severity=warning`)).json()) as {
      count: number;
    };
    expect(none.count).toBe(0);
    expect((await fetch(`${url}/api/diagnostics?severity=fatal`)).status).toBe(400);
  });

  it('summarises the snapshot, and includes redacted Envoy JSON only with full=1', async () => {
    const state = new MutableState();
    state.current = testSnapshot();
    const url = await start(state);
    const summary = (await (await fetch(`${url}/api/snapshot`)).json()) as {
      serial: number;
      version: string;
      diagnostics: Record<string, number>;
      types: Array<{ type: string; count: number; resources: Array<Record<string, unknown>> }>;
    };
    expect(summary.serial).toBe(7);
    expect(summary.diagnostics).toEqual({ error: 1, warning: 1, info: 0 });
    expect(summary.types.map((t) => [t.type, t.count])).toEqual([
      ['Listener', 0],
      ['RouteConfiguration', 0],
      ['Cluster', 1],
      ['ClusterLoadAssignment', 0],
      ['Secret', 1],
    ]);
    const cluster = summary.types[2]!.resources[0]!;
    expect(cluster).toEqual({ name: 'cluster_quote_default', version: 'v-cluster', provenance: [mapping] });

    const fullText = await (await fetch(`${url}/api/snapshot?full=1`)).text();
    expect(fullText).toContain('"certificateChain"');
    expect(fullText).not.toContain('TOP-SECRET-KEY');
    expect(fullText).toContain('[redacted]');
    expect((await fetch(`${url}/api/snapshot?full=maybe`)).status).toBe(400);
    expect(
      ((await (await fetch(`${url}/api/snapshot?group=default`)).json()) as { serial: number }).serial,
    ).toBe(7);
    const otherGroup = await fetch(`${url}/api/snapshot?group=internal`);
    expect(otherGroup.status).toBe(404);
    expect(await otherGroup.json()).toEqual({ error: "no snapshot for group 'internal'" });
  });

  it('returns the ADS streams the callback reports', async () => {
    const state = new MutableState();
    state.streamList = [{ node: { id: 'envoy-1' }, subscribed: [TypeUrl.Listener], lastNack: null }];
    const url = await start(state);
    expect(await (await fetch(`${url}/api/streams`)).json()).toEqual({ count: 1, streams: state.streamList });
  });

  it('reports no streams when no ADS sink supplies them, and takes the address as host and port', async () => {
    server = createAdminServer({
      address: { host: '127.0.0.1', port: 0 },
      state: { snapshot: () => undefined, diagnostics: () => [] },
    });
    const { url } = await server.listen();
    expect(await (await fetch(`${url}/api/streams`)).json()).toEqual({ count: 0, streams: [] });
  });

  it('serves application metrics merged with process metrics', async () => {
    const state = new MutableState();
    state.metrics = new Registry();
    new Counter({ name: 'attache_compiles_total', help: 'Compilations run', registers: [state.metrics] }).inc(
      3,
    );
    const url = await start(state);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('attache_compiles_total 3');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('merges several application registries', async () => {
    const runtimeMetrics = new Registry();
    const adsMetrics = new Registry();
    new Counter({
      name: 'attache_compiles_total',
      help: 'Compilations run',
      registers: [runtimeMetrics],
    }).inc(2);
    new Counter({ name: 'attache_xds_pushes_total', help: 'Pushes', registers: [adsMetrics] }).inc(5);
    const url = await start({
      snapshot: () => undefined,
      diagnostics: () => [],
      metrics: [runtimeMetrics, adsMetrics],
    });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('attache_compiles_total 2');
    expect(text).toContain('attache_xds_pushes_total 5');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves an application registry that already collects process metrics without a duplicate-name failure', async () => {
    const state = new MutableState();
    state.metrics = new Registry();
    collectDefaultMetrics({ register: state.metrics });
    const url = await start(state);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
  });

  it('renders the diagnostics page with every user string escaped', async () => {
    const state = new MutableState();
    state.current = testSnapshot();
    const url = await start(state);
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    expect(page).toContain('Mapping default/quote');
    expect(page).toContain('MAPPING_SERVICE_MISSING');
    expect(page).toContain('/spec/service');
    expect(page).toContain('set it to &lt;name&gt;.&lt;namespace&gt;:&lt;port&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('cluster_quote_default');
    expect(page).toContain('Secret (1)');
    expect(page).not.toContain('TOP-SECRET-KEY');
  });

  it("answers the explainer with the CLI's messages for a bad request, and 404 before the first compile", async () => {
    const state = new MutableState();
    const url = await start(state);
    const before = await fetch(`${url}/api/explain?url=http://example.com/`);
    expect(before.status).toBe(404);
    expect(await before.json()).toEqual({ error: 'no snapshot compiled yet' });
    state.current = testSnapshot();
    const notUrl = await fetch(`${url}/api/explain?url=example.com`);
    expect(notUrl.status).toBe(400);
    expect(await notUrl.json()).toEqual({ error: "'example.com' is not an http:// or https:// URL" });
    const badHeader = await fetch(`${url}/api/explain?url=http://example.com/&headers=nocolon`);
    expect(await badHeader.json()).toEqual({ error: "-H 'nocolon' is not 'name: value'" });
    const badPort = await fetch(`${url}/api/explain?url=http://example.com/&listener=70000`);
    expect(await badPort.json()).toEqual({ error: "--listener '70000' is not a port (1-65535)" });
    // No Listener in this snapshot: explain says no route takes it.
    const ok = (await (await fetch(`${url}/api/explain?url=http://example.com/`)).json()) as {
      text: string;
      routed: boolean;
    };
    expect(ok.routed).toBe(false);
    expect(ok.text).toContain('Request      GET http://example.com/');
    const page = await fetch(`${url}/explain?url=example.com`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('is not an http:// or https:// URL');
  });

  it('serves pages under a policy that allows only its own script and forms', async () => {
    const state = new MutableState();
    state.current = testSnapshot();
    const url = await start(state);
    const page = await fetch(`${url}/`);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("form-action 'self'");
    expect(policy).not.toContain('unsafe-eval');
    const html = await page.text();
    expect(html).toContain('<script src="/ui.js" defer></script>');
    expect(html.match(/<script/g)).toHaveLength(1);
    const script = await fetch(`${url}/ui.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain("getElementById('problem-filter')");
    // The server-side filter: one diagnostic of two.
    const filtered = await (await fetch(`${url}/?q=secret&severity=warning`)).text();
    expect(filtered.match(/<tr class="problem"/g)).toHaveLength(1);
    expect(filtered).toContain('1 of 2 shown');
  });

  it('says so on the page before the first snapshot', async () => {
    const url = await start(new MutableState());
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('No snapshot yet');
  });
});
