import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenSuite, goldenXdsView } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { grpcPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

export function compileWithGrpc(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, grpcPlugin, envoyPlugin], {});
}

/**
 * grpc, health-checks, module-grpc, module-grpc-stats-all and module-defaults
 * were http plugin goldens before gRPC moved here: their files are unchanged,
 * so the distribution with feature-grpc compiles them exactly as before.
 */
describe('feature-grpc golden cases', () => {
  goldenSuite(dir, (resources) => goldenXdsView(compileWithGrpc(resources)), { it, expect });
});
