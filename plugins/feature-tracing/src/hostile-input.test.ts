import { fileURLToPath } from 'node:url';
import { compile } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { commonHostileValues, hostileFailures, hostileMutations, specValuePaths } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tracingPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, tracingPlugin, envoyPlugin];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [...commonHostileValues, ':', ':status', 'a b'];

const pathsOf = (kind: string, spec: Record<string, unknown> | undefined) =>
  kind === 'TracingService' ? specValuePaths(spec) : [];

describe('hostile input: one wrong TracingService value never breaks the compile, and Attaché names it', () => {
  const sample = hostileMutations(dir, { values: hostileValues, pathsOf });

  it(`survives ${sample.length} single-field mutations of TracingServices`, () => {
    const failures = hostileFailures(sample, (resources) => compile(resources, plugins));
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
