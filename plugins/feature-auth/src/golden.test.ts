import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { goldenSuite, goldenXdsView } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { featureAuthPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));

export function compileWithAuth(resources: StoredResource[]) {
  return compile(resources, [httpPlugin, featureAuthPlugin, envoyPlugin], {});
}

describe('feature-auth golden cases', () => {
  goldenSuite(dir, (resources) => goldenXdsView(compileWithAuth(resources)), { it, expect });
});
