import { fileURLToPath } from 'node:url';
import { type CompileResult, compile, formatRef, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { runGoldenDir } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { grpcPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

/** The validated Envoy resources and the diagnostics, in reading order (as the http plugin's goldens show them). */
export function goldenView(result: CompileResult) {
  const xds: Record<string, Array<{ name: string; provenance: string[]; resource: unknown }>> = {};
  for (const [typeUrl, list] of Object.entries(result.xds)) {
    if (list.length === 0) continue;
    xds[typeUrl.replace('type.googleapis.com/', '')] = list.map((r) => ({
      name: r.name,
      provenance: r.provenance.map(formatRef),
      resource: r.resource,
    }));
  }
  const diagnostics = result.diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    ...(d.resource ? { resource: formatRef(d.resource) } : {}),
    ...(d.path !== undefined ? { path: d.path } : {}),
    message: d.message,
  }));
  return { out: xds, diagnostics };
}

export function compileWithGrpc(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, grpcPlugin, envoyPlugin], {});
}

/**
 * grpc, health-checks, module-grpc, module-grpc-stats-all and module-defaults
 * were http plugin goldens before gRPC moved here: their files are unchanged,
 * so the distribution with feature-grpc compiles them exactly as before.
 */
describe('feature-grpc golden cases', () => {
  runGoldenDir(dir, (resources) => goldenView(compileWithGrpc(resources)), {
    test: it,
    assertEqual: (actual, expected, file) => {
      expect(expected, `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBeDefined();
      expect(actual, file).toBe(expected);
    },
  });
});
