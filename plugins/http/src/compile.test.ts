import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalJson, compile, type Resource, type StoredResource, TypeUrl } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { resourcesFromYaml } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from './index.js';
import type { HttpMapping } from './model.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });
const plugins = [httpPlugin, envoyPlugin];

const listener = (name: string, port: number, protocol: string): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name, namespace: 'default' },
  spec: { port, protocol, securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
});
const host = (name: string, hostname: string): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Host',
  metadata: { name, namespace: 'default' },
  spec: { hostname, requestPolicy: { insecure: { action: 'Route' } } },
});
const mapping = (name: string, spec: Record<string, unknown>): Resource => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  metadata: { name, namespace: 'default' },
  spec,
});

/** A deterministic shuffle (no Math.random: a failure must reproduce). */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('determinism', () => {
  const cases = readdirSync(dir).filter((f) => f.endsWith('.in.yaml'));
  it.each(cases)('%s compiles to identical bytes in any input order', (file) => {
    const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
    const first = compile(resources, plugins);
    for (const seed of [1, 7, 42]) {
      const again = compile(shuffled(resources, seed), plugins);
      expect(canonicalJson(again.xds)).toBe(canonicalJson(first.xds));
      expect(canonicalJson(again.diagnostics)).toBe(canonicalJson(first.diagnostics));
    }
  });
});

describe('stable names (Emissary #4629)', () => {
  it('removing one Mapping renames no other route or cluster', () => {
    const base = [
      listener('http', 8080, 'HTTP'),
      host('shop', 'shop.example.com'),
      ...['a', 'b', 'c', 'd'].map((n) =>
        mapping(n, { hostname: 'shop.example.com', prefix: `/${n}/`, service: `svc-${n}`, timeout_ms: 1000 }),
      ),
    ].map(stored);
    const names = (resources: StoredResource[]) => {
      const result = compile(resources, plugins);
      const clusters = result.xds[TypeUrl.Cluster].map((c) => c.name);
      const routes = Object.values(result.ir.routeConfigs).flatMap((rc) =>
        rc.virtualHosts.flatMap((vh) => vh.routes.map((r) => `${r.name}→${JSON.stringify(r.action)}`)),
      );
      return { clusters, routes };
    };
    const all = names(base);
    const without = names(base.filter((r) => r.resource.metadata.name !== 'b'));
    expect(without.clusters).toEqual(all.clusters.filter((c) => !c.includes('svc-b')));
    expect(without.routes).toEqual(all.routes.filter((r) => !r.startsWith('default/b')));
  });
});

describe('normalised model for feature plugins', () => {
  it('publishes bypass_auth, auth_context_extensions, labels and route names', () => {
    const result = compile(
      [
        listener('http', 8080, 'HTTP'),
        host('shop', 'shop.example.com'),
        mapping('m', {
          hostname: 'shop.example.com',
          prefix: '/m/',
          service: 'm',
          bypass_auth: true,
          auth_context_extensions: { team: 'a' },
          labels: { ambassador: [{ request_label_group: ['remote_address'] }] },
        }),
      ].map(stored),
      [httpPlugin],
    );
    const [m] = result.ir.ext['http.mappings'] as HttpMapping[];
    expect(m?.bypassAuth).toBe(true);
    expect(m?.authContextExtensions).toEqual({ team: 'a' });
    expect(m?.rateLimitLabels).toEqual({ ambassador: [{ request_label_group: ['remote_address'] }] });
    expect(m?.routeNames).toEqual(['default/m']);
  });
});

describe('scale', () => {
  it('compiles 10,000 Mappings across 10 Hosts', () => {
    const resources: Resource[] = [listener('http', 8080, 'HTTP'), listener('https', 8443, 'HTTPS')];
    for (let h = 0; h < 10; h++) resources.push(host(`h${h}`, `h${h}.example.com`));
    for (let i = 0; i < 10_000; i++) {
      resources.push(
        mapping(`m${i}`, {
          hostname: `h${i % 10}.example.com`,
          prefix: `/svc${i}/`,
          service: `svc${i % 500}`,
          ...(i % 7 === 0 ? { headers: { 'x-tenant': `t${i % 3}` } } : {}),
          ...(i % 11 === 0 ? { regex_headers: { 'x-version': 'v[0-9]+' } } : {}),
        }),
      );
    }
    const result = compile(resources.map(stored), plugins);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.xds[TypeUrl.Cluster]).toHaveLength(500);
    const routes = result.xds[TypeUrl.RouteConfiguration].flatMap((rc) =>
      (rc.resource.virtual_hosts as Array<{ routes: unknown[] }>).flatMap((vh) => vh.routes),
    );
    // Both Listeners serve the same cleartext route table: one shared RouteConfiguration.
    expect(result.xds[TypeUrl.RouteConfiguration]).toHaveLength(1);
    // Plus the liveness and readiness probe routes every Host gets (as in Emissary).
    expect(routes).toHaveLength(10_000 + 2 * 10);
  });
});

describe('plugin options', () => {
  const lonely = [
    host('lonely', 'lonely.example.com'),
    mapping('m', { hostname: 'lonely.example.com', prefix: '/', service: 'm' }),
  ].map(stored);

  it('creates no Listener by default, and says so (Emissary 2+; oracle 57)', () => {
    const result = compile(lonely, plugins);
    expect(result.xds[TypeUrl.Listener]).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toContain('HTTP_NO_LISTENERS');
  });

  it('synthesizes 8080/8443 with defaultListeners', () => {
    const result = compile(lonely, [{ plugin: httpPlugin, config: { defaultListeners: true } }, envoyPlugin]);
    const ports = result.xds[TypeUrl.Listener].map(
      (l) => (l.resource.address as { socket_address: { port_value: number } }).socket_address.port_value,
    );
    expect(ports.sort()).toEqual([8080, 8443]);
  });

  it('compiles only the resources of the ambassador_id it serves', () => {
    const staging = mapping('staging', {
      hostname: 'lonely.example.com',
      prefix: '/staging/',
      service: 'staging',
      ambassador_id: ['staging'],
    });
    const input = [listener('http', 8080, 'HTTP'), staging].map(stored).concat(lonely);
    const names = (id?: string) =>
      (
        compile(input, [httpPlugin], id ? { ambassadorId: id } : {}).ir.ext['http.mappings'] as HttpMapping[]
      ).map((m) => m.name);
    expect(names()).toEqual(['m']);
    expect(names('staging')).toEqual(['staging']);
  });
});

describe('schemas for CRD generation', () => {
  it('give every property a type, or mark it as free form', async () => {
    const { httpSpecSchemas } = await import('./index.js');
    const untyped: string[] = [];
    let visited = 0;
    const walk = (node: Record<string, unknown>, path: string) => {
      visited++;
      if (node['x-kubernetes-preserve-unknown-fields']) return;
      if (node.type === undefined) untyped.push(path);
      for (const [key, child] of Object.entries(
        (node.properties as Record<string, Record<string, unknown>>) ?? {},
      )) {
        walk(child, `${path}.${key}`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
    };
    for (const [kind, schema] of Object.entries(httpSpecSchemas))
      walk(schema as Record<string, unknown>, kind);
    expect(untyped).toEqual([]);
    expect(visited).toBeGreaterThan(150);
  });
});

describe('strictLabelSelectors (testdata/host-selector-strict.in.yaml)', () => {
  const file = 'host-selector-strict.in.yaml';
  const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
  /** Route prefixes of the virtual host serving foo.example.com. */
  const fooPrefixes = (strictLabelSelectors?: boolean) => {
    const config = strictLabelSelectors === undefined ? {} : { strictLabelSelectors };
    const result = compile(resources, [{ plugin: httpPlugin, config }, envoyPlugin]);
    const vhosts = result.xds[TypeUrl.RouteConfiguration].flatMap(
      (rc) =>
        rc.resource.virtual_hosts as Array<{
          domains: string[];
          routes: Array<{ match: { prefix?: string } }>;
        }>,
    );
    const foo = vhosts.find((vh) => vh.domains.includes('foo.example.com'));
    return (foo?.routes ?? []).map((r) => r.match.prefix).filter((p) => !p?.startsWith('/ambassador/'));
  };

  it('by default needs hostname and labels both (Emissary ≥ 3.2)', () => {
    expect(fooPrefixes()).toEqual(['/labelled/', '/by-label/']);
  });

  it('false: hostname or labels suffice (Emissary with DISABLE_STRICT_LABEL_SELECTORS=true)', () => {
    expect(fooPrefixes(false).sort()).toEqual(['/by-label/', '/everywhere/', '/labelled/', '/unlabelled/']);
  });
});
