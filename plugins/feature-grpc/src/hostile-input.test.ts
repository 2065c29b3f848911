import { fileURLToPath } from 'node:url';
import { compile } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { commonHostileValues, hostileFailures, hostileMutations, valuePaths } from '@attache/testkit';
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
const hostileValues: unknown[] = [...commonHostileValues, 'a.B/C'];

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
describe('hostile input: one wrong gRPC value never breaks the compile, and Attaché names it', () => {
  const sample = hostileMutations(dir, { values: hostileValues, pathsOf: grpcPaths });

  it(`survives ${sample.length} single-field mutations of the gRPC fields of Mappings and the Module`, () => {
    const failures = hostileFailures(sample, (resources) => compile(resources, plugins));
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
