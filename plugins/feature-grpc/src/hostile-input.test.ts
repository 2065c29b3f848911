import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml, valuePaths, withValue } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { grpcPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
// Proxyless targets on every Host of the goldens, so the lower pass meets every mutation too.
const plugins = [
  httpPlugin,
  {
    plugin: grpcPlugin,
    config: {
      proxyless: [
        { target: 'grpc.target', host: 'default/grpc' },
        { target: 'app.target', host: 'app.example.com' },
      ],
    },
  },
  envoyPlugin,
];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [
  null,
  '',
  ' ',
  -1,
  0,
  1e12,
  1.5,
  true,
  'x'.repeat(300),
  '*',
  '%',
  '/../',
  'ünïcödé',
  {},
  [],
  [null],
  { '': '' },
  1e308,
  9223372036000,
  'x\r\ninjected: 1',
  '100%',
  'a.B/C',
];

type Json = Record<string, unknown>;

const mappingFields = ['grpc', 'grpc_timeout', 'grpc_match', 'retry_policy', 'health_checks'];
const moduleFields = ['enable_grpc_web', 'enable_grpc_http11_bridge', 'grpc_stats'];

/** Paths of the gRPC fields a resource sets, and the field itself where it does not (to add it). */
function grpcPaths(kind: string, spec: Json | undefined): Array<Array<string | number>> {
  if (kind === 'Mapping') {
    const set = mappingFields.flatMap((f) => (spec?.[f] === undefined ? [] : valuePaths(spec[f], [f])));
    return [...set, ...['grpc_timeout', 'grpc_match'].filter((f) => spec?.[f] === undefined).map((f) => [f])];
  }
  if (kind === 'Module') {
    const config = (spec?.config ?? {}) as Json;
    return moduleFields.flatMap((f) =>
      config[f] === undefined ? [['config', f]] : valuePaths(config[f], ['config', f]),
    );
  }
  return [];
}

/**
 * Every hostile value in every gRPC field of every Mapping and Module of the
 * golden inputs (and in the gRPC fields they do not set): the compile never
 * throws, and Attaché (not only Envoy's validation) names the field.
 */
function mutations(): Array<{ where: string; resources: StoredResource[] }> {
  const out: Array<{ where: string; resources: StoredResource[] }> = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()) {
    const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
    resources.forEach((stored, index) => {
      const kind = stored.resource.kind;
      const spec = stored.resource.spec as Json | undefined;
      for (const path of grpcPaths(kind, spec)) {
        for (const value of hostileValues) {
          const changed = resources.map((s, i) =>
            i === index ? { ...s, resource: { ...s.resource, spec: withValue(spec ?? {}, path, value) } } : s,
          );
          out.push({
            where: `${file} ${kind} ${path.join('.')} = ${JSON.stringify(value)}`,
            resources: changed,
          });
        }
      }
    });
  }
  return out;
}

describe('hostile input: one wrong gRPC value never breaks the compile, and Attaché names it', () => {
  const sample = mutations();

  it(`survives ${sample.length} single-field mutations of the gRPC fields of Mappings and the Module`, () => {
    const failures: string[] = [];
    for (const m of sample) {
      try {
        const result = compile(m.resources, plugins);
        for (const d of result.diagnostics) {
          if (d.code === 'PASS_FAILED') failures.push(`${m.where}: PASS_FAILED ${d.message}`);
          else if (d.code === 'ENVOY_REJECTED')
            failures.push(`${m.where}: only Envoy's validation caught it (${d.message})`);
          else if (d.severity === 'error' && !d.resource)
            failures.push(`${m.where}: ${d.code} names no resource`);
        }
      } catch (error) {
        failures.push(`${m.where}: threw ${(error as Error).message}`);
      }
    }
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
