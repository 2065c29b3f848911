import { canonicalJson, kindOf, resourceKey } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { compileScenarios, generateCompileInputs, hostnameOf } from './compile-inputs.js';
import { inputsAsYaml } from './compile-inputs-file.js';

function kindsOf(resources: ReturnType<typeof generateCompileInputs>['resources']): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const { resource } of resources) kinds[kindOf(resource)] = (kinds[kindOf(resource)] ?? 0) + 1;
  return kinds;
}

describe('generateCompileInputs', () => {
  it('generates exactly the Hosts, Secrets and Mappings each scenario names, plus a Listener pair', () => {
    for (const scenario of compileScenarios) {
      const { resources, counts } = generateCompileInputs(scenario);
      expect(kindsOf(resources)).toEqual({
        'getambassador.io/Listener': 2,
        'getambassador.io/Host': scenario.hosts,
        Secret: scenario.hosts,
        'getambassador.io/TLSContext': 1,
        'getambassador.io/Mapping': scenario.mappings,
      });
      expect(counts).toMatchObject({
        listeners: 2,
        hosts: scenario.hosts,
        secrets: scenario.hosts,
        mappings: scenario.mappings,
      });
      expect(resources).toHaveLength(2 + 2 * scenario.hosts + 1 + scenario.mappings);
    }
  });

  it('is deterministic: the same scenario gives byte-identical input', () => {
    const a = generateCompileInputs({ hosts: 10, mappings: 1000 });
    const b = generateCompileInputs({ hosts: 10, mappings: 1000 });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it('never repeats a resource key, so no input is dropped as a duplicate', () => {
    const { resources } = generateCompileInputs({ hosts: 1000, mappings: 1500 });
    const keys = new Set(resources.map((r) => resourceKey({ ...r.resource.metadata, ...r.resource })));
    expect(keys.size).toBe(resources.length);
  });

  it('varies Mappings: regex prefixes, header and query matches, rewrites, timeouts, canaries, TLS, breakers, LB', () => {
    const { resources, counts } = generateCompileInputs({ hosts: 10, mappings: 10000 });
    const specs = resources
      .filter((r) => r.resource.kind === 'Mapping')
      .map((r) => r.resource.spec as Record<string, unknown>);
    const having = (field: string) => specs.filter((s) => s[field] !== undefined).length;
    expect(counts.regexMappings).toBe(specs.filter((s) => s.prefix_regex === true).length);
    expect(counts.regexMappings).toBeGreaterThan(0);
    expect(counts.wildcardMappings).toBe(specs.filter((s) => s.hostname === '*').length);
    expect(counts.wildcardMappings).toBe(100);
    expect(counts.canaryMappings).toBe(500);
    expect(counts.canaryMappings).toBe(having('weight'));
    for (const field of [
      'headers',
      'regex_headers',
      'query_parameters',
      'regex_query_parameters',
      'rewrite',
      'timeout_ms',
      'weight',
      'tls',
      'circuit_breakers',
      'load_balancer',
      'method',
      'precedence',
    ]) {
      expect(having(field), field).toBeGreaterThan(0);
      expect(having(field), field).toBeLessThan(specs.length);
    }
    expect(specs.some((s) => String(s.service).startsWith('https://'))).toBe(true);
  });

  it('gives every canary the same match as the Mapping it shadows, and a different service', () => {
    const { resources } = generateCompileInputs({ hosts: 10, mappings: 200 });
    const mappings = resources.filter((r) => r.resource.kind === 'Mapping').map((r) => r.resource);
    const byName = new Map(mappings.map((m) => [m.metadata.name, m]));
    const matchOf = (spec: Record<string, unknown>) =>
      canonicalJson([
        spec.hostname,
        spec.prefix,
        spec.prefix_regex,
        spec.headers,
        spec.query_parameters,
        spec.method,
      ]);
    let canaries = 0;
    for (const m of mappings) {
      const spec = m.spec as Record<string, unknown>;
      if (spec.weight === undefined) continue;
      canaries++;
      const primary = byName.get(`m${Number(m.metadata.name.slice(1)) - 1}`)!;
      const primarySpec = primary.spec as Record<string, unknown>;
      expect(primary.metadata.namespace).toBe(m.metadata.namespace);
      expect(matchOf(spec)).toBe(matchOf(primarySpec));
      expect(spec.service).not.toBe(primarySpec.service);
    }
    expect(canaries).toBe(10);
  });

  it('binds every TLS Host to a Secret that exists, and spreads Mappings over every Host', () => {
    const hosts = 7;
    const { resources } = generateCompileInputs({ hosts, mappings: 70 });
    const secrets = new Set(
      resources
        .filter((r) => r.resource.kind === 'Secret')
        .map((r) => `${r.resource.metadata.namespace}/${r.resource.metadata.name}`),
    );
    for (const r of resources.filter((x) => x.resource.kind === 'Host')) {
      const spec = r.resource.spec as { tlsSecret: { name: string } };
      expect(secrets.has(`${r.resource.metadata.namespace}/${spec.tlsSecret.name}`)).toBe(true);
    }
    const used = new Set(
      resources
        .filter((r) => r.resource.kind === 'Mapping')
        .map((r) => (r.resource.spec as { hostname: string }).hostname),
    );
    for (let h = 0; h < hosts; h++) expect(used.has(hostnameOf(h))).toBe(true);
  });

  it('rejects nonsense sizes', () => {
    expect(() => generateCompileInputs({ hosts: 0, mappings: 1 })).toThrow(/hosts/);
    expect(() => generateCompileInputs({ hosts: 1, mappings: -1 })).toThrow(/mappings/);
  });
});

describe('inputsAsYaml', () => {
  it('writes one document per resource that reads back as the same resource', () => {
    const { resources } = generateCompileInputs({ hosts: 2, mappings: 5 });
    const text = inputsAsYaml(resources);
    const documents = text.split(/^---\n/m).filter((d) => d.trim() !== '');
    expect(documents).toHaveLength(resources.length);
    expect(documents.map((d) => JSON.parse(d))).toEqual(resources.map((r) => r.resource));
  });
});
