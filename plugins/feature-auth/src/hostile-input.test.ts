import { fileURLToPath } from 'node:url';
import { compile } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import {
  commonHostileValues,
  hostileFailures,
  hostileMutations,
  specValuePaths,
  type ValuePath,
} from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { featureAuthPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, featureAuthPlugin, envoyPlugin];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [...commonHostileValues];

/**
 * Every hostile value in every field of every AuthService, and of the Host and
 * Mapping fields this plugin claims, in the golden inputs: the compile never
 * throws, and Attaché (not only Envoy's validation) names the field.
 */
function pathsOf(kind: string, spec: Record<string, unknown> | undefined): ValuePath[] {
  if (kind === 'AuthService') return specValuePaths(spec);
  if (kind === 'Mapping' || kind === 'Host')
    return ['bypass_auth', 'auth_context_extensions', 'auth_service'].map((k) => [k]);
  return [];
}

describe('hostile input: one wrong AuthService value never breaks the compile, and Attaché names it', () => {
  const sample = hostileMutations(dir, { values: hostileValues, pathsOf });

  it(`survives ${sample.length} single-field mutations of AuthServices and the fields feature-auth claims`, () => {
    const failures = hostileFailures(sample, (resources) => compile(resources, plugins));
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
