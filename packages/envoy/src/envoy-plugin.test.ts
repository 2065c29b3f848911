import { type IR, seededRandom, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import type { Admission } from './admit.js';
import { mergedNames } from './envoy-plugin.js';
import { compileIR, golden, goldenView, goldenYaml, readIR } from './testing/golden.js';
import { validateResource } from './validate.js';

describe('envoy.lower', () => {
  it('lowers an IR that uses every field (golden: testdata/full-ir.out.yaml)', () => {
    const result = compileIR(readIR('full-ir.in.yaml'));
    expect(result.diagnostics).toEqual([]);
    const actual = goldenYaml(goldenView(result));
    expect(actual).toEqual(golden('full-ir.out.yaml', actual));
    for (const resource of Object.values(result.xds).flat()) {
      expect(validateResource(resource.resource), `${resource.typeUrl} ${resource.name}`).toEqual([]);
    }
    expect(result.xds[TypeUrl.Listener].map((l) => l.name)).toEqual(['https', 'tcp-passthrough']);
    expect(result.xds[TypeUrl.RouteConfiguration].map((r) => r.name)).toEqual([
      'cleartext-routes',
      'https-routes',
    ]);
    expect(result.xds[TypeUrl.Cluster]).toHaveLength(7);
    expect(result.xds[TypeUrl.ClusterLoadAssignment]).toHaveLength(1);
    expect(result.xds[TypeUrl.Secret]).toHaveLength(4);
  });

  it('is deterministic: the same IR twice, or with records in another order, gives identical output', () => {
    const ir = readIR('full-ir.in.yaml');
    const reversed: IR = {
      ...ir,
      clusters: Object.fromEntries(Object.entries(ir.clusters).reverse()),
      secrets: Object.fromEntries(Object.entries(ir.secrets).reverse()),
      listeners: Object.fromEntries(Object.entries(ir.listeners).reverse()),
    };
    const first = JSON.stringify(compileIR(ir).xds);
    expect(JSON.stringify(compileIR(ir).xds)).toEqual(first);
    expect(JSON.stringify(compileIR(reversed).xds)).toEqual(first);
  });
});

describe('envoy.lower with invalid IR elements', () => {
  const badPortRef = {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    namespace: 'default',
    name: 'bad-port',
  };
  const badHeaderRef = {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    namespace: 'default',
    name: 'bad-header',
  };

  function seededIR(): IR {
    const ir = readIR('full-ir.in.yaml');
    ir.clusters['bad-port'] = {
      name: 'bad-port',
      discovery: 'STRICT_DNS',
      targets: [{ host: 'quote.default', port: 70000 }],
      provenance: [badPortRef, { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'quote' }],
    };
    const vhost = ir.routeConfigs['https-routes']!.virtualHosts.find((v) => v.name === 'example-com')!;
    vhost.routes.splice(1, 0, {
      name: 'default/bad-header',
      provenance: [badHeaderRef],
      match: { path: { kind: 'prefix', value: '/bad/' } },
      action: { kind: 'forward', clusters: [{ cluster: 'quote-v1', weight: 100 }] },
      requestHeadersToAdd: [{ key: 'x-bad\r\nheader', value: 'v' }],
    });
    return ir;
  }

  it('leaves out the invalid resource and route, blames their provenance, and emits the rest', () => {
    const good = compileIR(readIR('full-ir.in.yaml'));
    const result = compileIR(seededIR());

    expect(result.diagnostics.map((d) => [d.code, d.resource?.kind, d.resource?.name])).toEqual([
      ['ENVOY_REJECTED', 'Mapping', 'bad-header'],
      ['ENVOY_REJECTED', 'Mapping', 'bad-port'],
      ['ENVOY_REJECTED', 'Service', 'quote'],
    ]);
    const byName = Object.fromEntries(result.diagnostics.map((d) => [d.resource!.name, d.message]));
    expect(byName['bad-port']).toContain("Cluster 'bad-port'");
    expect(byName['bad-port']).toContain(
      '/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value',
    );
    expect(byName['bad-header']).toContain("route 'default/bad-header' of RouteConfiguration 'https-routes'");
    expect(byName['bad-header']).toContain('/virtual_hosts/1/routes/1/request_headers_to_add/0/header/key');

    // The bad cluster never reaches output; the route config is emitted without the bad route only.
    expect(result.xds[TypeUrl.Cluster].map((c) => c.name)).not.toContain('bad-port');
    expect(JSON.stringify(result.xds)).not.toContain('bad-header');
    expect(result.xds).toEqual(good.xds);
  });

  it('rejects a whole resource when the issue is outside any droppable part', () => {
    const ir = readIR('full-ir.in.yaml');
    ir.routeConfigs['cleartext-routes']!.virtualHosts[0]!.domains = [];
    const result = compileIR(ir);
    expect(result.xds[TypeUrl.RouteConfiguration].map((r) => r.name)).toEqual(['https-routes']);
    expect(result.diagnostics.map((d) => [d.code, d.resource?.kind, d.resource?.name])).toEqual([
      ['ENVOY_REJECTED', 'Listener', 'https-listener'],
      // …and the listener chain that routes with it is told why it will answer 404.
      ['ENVOY_REFERENCE_DANGLING', 'Listener', 'https-listener'],
    ]);
    expect(result.diagnostics[0]!.message).toContain('/virtual_hosts/0/domains');
    expect(result.diagnostics[1]!.message).toContain("route config 'cleartext-routes'");
  });

  it('warns about references to resources that were not generated', () => {
    const ir = readIR('full-ir.in.yaml');
    const route = ir.routeConfigs['https-routes']!.virtualHosts.find((v) => v.name === 'api-example-com')!
      .routes[0]!;
    if (route.action.kind !== 'forward') throw new Error('fixture changed');
    route.action.clusters = [{ cluster: 'no-such-cluster', weight: 100 }];
    delete ir.secrets['default/upstream-ca'];
    delete ir.endpoints['default/quote-v1'];
    const result = compileIR(ir);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.resource?.name])).toEqual([
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'api'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'api'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'api'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'quote-canary'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'quote-canary'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'quote-exact'],
      ['ENVOY_REFERENCE_DANGLING', 'warning', 'quote-exact'],
    ]);
    const messages = [...new Set(result.diagnostics.map((d) => d.message))].sort();
    expect(messages).toEqual([
      "EDS cluster 'quote-v1' has endpoints 'default/quote-v1', which was not generated (it does not exist or was rejected); it has no hosts",
      "cluster 'quote-v1' uses secret 'default/upstream-ca', which was not generated (it does not exist or was rejected); Envoy keeps it warming until it exists",
      "route 'default/api' forwards to cluster 'no-such-cluster', which was not generated (it does not exist or was rejected); Envoy answers 503 for it",
    ]);
  });

  it('leaves out the routes of a cluster Envoy would refuse, instead of leaving them to answer 503', () => {
    const ir = readIR('full-ir.in.yaml');
    const vhost = ir.routeConfigs['https-routes']!.virtualHosts.find((v) => v.name === 'api-example-com')!;
    const route = vhost.routes[0]!;
    if (route.action.kind !== 'forward') throw new Error('fixture changed');
    ir.clusters['too-slow'] = {
      name: 'too-slow',
      discovery: 'STRICT_DNS',
      targets: [{ host: 'slow.default', port: 80 }],
      connectTimeoutMs: 1e308, // Envoy cannot decode this duration
      provenance: route.provenance,
    };
    route.action.clusters = [{ cluster: 'too-slow', weight: 100 }];
    const result = compileIR(ir);

    expect(result.diagnostics.map((d) => [d.code, d.resource?.name])).toEqual([
      ['ENVOY_REJECTED', 'api'],
      ['ENVOY_REJECTED', 'api'],
    ]);
    const messages = result.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain("Cluster 'too-slow'");
    expect(messages).toContain("route 'default/api' of RouteConfiguration 'https-routes'");
    const routes = result.xds[TypeUrl.RouteConfiguration].find((r) => r.name === 'https-routes')!;
    expect(JSON.stringify(routes.resource)).not.toContain('too-slow');
    // Only that route is gone: every other route config and route is emitted as before.
    const before = compileIR(readIR('full-ir.in.yaml')).xds[TypeUrl.RouteConfiguration];
    const names = (r: (typeof before)[number]) =>
      (r.resource.virtual_hosts as Array<{ routes: Array<{ name: string }> }>).flatMap((v) =>
        v.routes.map((x) => x.name),
      );
    expect(result.xds[TypeUrl.RouteConfiguration].flatMap(names)).toEqual(
      before.flatMap(names).filter((n) => n !== 'default/api'),
    );
  });

  it('drops an invalid filter chain and keeps the listener', () => {
    const ir = readIR('full-ir.in.yaml');
    const chain = ir.listeners.https!.filterChains.find((c) => c.name === 'tcp-db')!;
    if (chain.kind !== 'tcp') throw new Error('fixture changed');
    chain.statPrefix = '';
    const result = compileIR(ir);
    expect(result.diagnostics.map((d) => [d.code, d.resource?.name])).toEqual([['ENVOY_REJECTED', 'db']]);
    const https = result.xds[TypeUrl.Listener].find((l) => l.name === 'https')!;
    const chains = (https.resource.filter_chains as Array<{ name: string }>).map((c) => c.name);
    expect(chains).toEqual(['https-example-com']);
    expect(https.provenance.map((r) => r.name)).not.toContain('db');
  });

  it('catches what Envoy checks beyond PGV: STATIC hosts must be IPs, LOGICAL_DNS has one host', () => {
    const ir = readIR('full-ir.in.yaml');
    ir.clusters['quote-shadow']!.targets = [{ host: 'shadow.default', port: 80 }];
    ir.clusters['quote-audit']!.targets = [
      { host: 'a.example.net', port: 443 },
      { host: 'b.example.net', port: 443 },
    ];
    const result = compileIR(ir);
    expect(result.xds[TypeUrl.Cluster].map((c) => c.name)).not.toContain('quote-shadow');
    expect(result.xds[TypeUrl.Cluster].map((c) => c.name)).not.toContain('quote-audit');
    const messages = result.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain(
      '/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/address',
    );
    expect(messages).toContain('LOGICAL_DNS');
  });
});

describe('mergedNames', () => {
  it('gives the names and resources of the admissions, and the names that moved, over random merges', () => {
    const random = seededRandom(5);
    const int = (n: number) => Math.floor(random() * n);
    let serial = 0;
    const admission = (name: string): Admission =>
      random() < 0.1
        ? { rejections: [] }
        : {
            resource: { typeUrl: TypeUrl.Cluster, name, resource: {}, version: 'v', provenance: [] },
            rejections: [],
          };
    const fresh = (admissions: readonly Admission[]) => {
      const resources = admissions.flatMap((a) => (a.resource ? [a.resource] : []));
      return { admissions, names: new Set(resources.map((r) => r.name)), resources };
    };
    let last = fresh(Array.from({ length: 40 }, () => admission(`c${serial++}`)));
    let merged = 0;
    for (let step = 0; step < 400; step++) {
      // Keep most of the last admissions (in their order), drop some, add some: some new ones
      // under a name that went (a cluster made again), now and then a name held twice.
      const at: number[] = [];
      const admissions: Admission[] = [];
      const went: string[] = [];
      last.admissions.forEach((a, i) => {
        if (random() < 0.1) {
          if (a.resource) went.push(a.resource.name);
          return;
        }
        at.push(i);
        admissions.push(a);
      });
      for (let k = int(4); k > 0; k--) {
        const name =
          went.length > 0 && random() < 0.3
            ? went[int(went.length)]!
            : random() < 0.03 && last.resources.length > 0
              ? last.resources[0]!.name
              : `c${serial++}`;
        const p = int(admissions.length + 1);
        admissions.splice(p, 0, admission(name));
        at.splice(p, 0, -1);
      }
      const got = mergedNames(last, admissions, at);
      const want = fresh(admissions);
      if (want.names.size !== want.resources.length) {
        // A name held twice: not patched.
        expect(got).toBeUndefined();
      } else {
        expect(got, `step ${step}`).toBeDefined();
        merged++;
        expect([...got!.names].sort()).toEqual([...want.names].sort());
        expect(got!.resources).toEqual(want.resources);
        const moved = [
          ...[...want.names].filter((n) => !last.names.has(n)),
          ...[...last.names].filter((n) => !want.names.has(n)),
        ].sort();
        expect([...got!.moved].sort(), `step ${step}`).toEqual(moved);
      }
      last = want.names.size === want.resources.length ? want : fresh(want.admissions.slice(1));
      if (last.names.size !== last.resources.length) last = fresh([]);
    }
    expect(merged).toBeGreaterThan(300);
  });
});
