import { fileURLToPath } from 'node:url';
import { compile } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import {
  commonHostileValues,
  hostileFailures,
  hostileMutations,
  specValuePaths,
  valuePaths,
} from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { ratelimitPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, ratelimitPlugin, envoyPlugin];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [...commonHostileValues, ':', 'a b'];

type Json = Record<string, unknown>;

/** The fields this plugin reads: all of RateLimitService, and what it claims on Mapping, Host and Module. */
function pathsOf(kind: string, spec: Json | undefined): Array<Array<string | number>> {
  if (!spec) return [];
  if (kind === 'RateLimitService') return specValuePaths(spec);
  const under = (prefix: Array<string | number>) => {
    let at: unknown = spec;
    for (const k of prefix) at = (at as Json | undefined)?.[k as string];
    return at === undefined ? [prefix] : valuePaths(at, prefix);
  };
  if (kind === 'Mapping') return [...under(['labels']), ...under(['local_rate_limit'])];
  if (kind === 'Host') return under(['local_rate_limit']);
  if (kind === 'Module')
    return [...under(['config', 'default_labels']), ...under(['config', 'default_label_domain'])];
  return [];
}

describe('hostile input: one wrong rate-limit value never breaks the compile, and Attaché names it', () => {
  const sample = hostileMutations(dir, { values: hostileValues, pathsOf });

  it(`survives ${sample.length} single-field mutations of RateLimitServices, labels, default_labels and local_rate_limit`, () => {
    const failures = hostileFailures(sample, (resources) => compile(resources, plugins));
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
