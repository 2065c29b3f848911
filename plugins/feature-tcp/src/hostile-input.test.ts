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
import { tcpPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, tcpPlugin, envoyPlugin];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [
  ...commonHostileValues,
  65536,
  '*.',
  ':',
  'a b',
  'xn--bcher-kva.example',
  '::1',
];

/** Every value a TCPMapping sets, and the fields it leaves out. */
function pathsOf(kind: string, spec: Record<string, unknown> | undefined): ValuePath[] {
  if (kind !== 'TCPMapping') return [];
  return [
    ...specValuePaths(spec),
    ...['host', 'address', 'tls', 'weight', 'idle_timeout_ms', 'resolver', 'circuit_breakers']
      .filter((f) => spec?.[f] === undefined)
      .map((f) => [f]),
  ];
}

describe('hostile input: one wrong TCPMapping value never breaks the compile, and Attaché names it', () => {
  const sample = hostileMutations(dir, { values: hostileValues, pathsOf });

  it(`survives ${sample.length} single-field mutations of TCPMappings`, () => {
    const failures = hostileFailures(sample, (resources) => compile(resources, plugins));
    expect(sample.length).toBeGreaterThan(1000);
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});
