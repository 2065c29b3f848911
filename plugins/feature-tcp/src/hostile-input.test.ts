import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { resourcesFromYaml, valuePaths, withValue } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { tcpPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, tcpPlugin, envoyPlugin];

/** Values users really write by mistake (as in the http plugin's hostile-input test). */
const hostileValues: unknown[] = [
  null,
  '',
  ' ',
  -1,
  0,
  65536,
  1e12,
  1.5,
  true,
  'x'.repeat(300),
  '*',
  '*.',
  '%',
  ':',
  'a b',
  '/../',
  'ünïcödé',
  'xn--bcher-kva.example',
  '::1',
  {},
  [],
  [null],
  { '': '' },
  1e308,
  9223372036000,
  'x\r\ninjected: 1',
  '100%',
];

type Json = Record<string, unknown>;

function mutations(): Array<{ where: string; resources: StoredResource[] }> {
  const out: Array<{ where: string; resources: StoredResource[] }> = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()) {
    const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
    resources.forEach((stored, index) => {
      if (stored.resource.kind !== 'TCPMapping') return;
      const spec = stored.resource.spec as Json | undefined;
      // Every value it sets, and the fields it leaves out.
      const paths = [
        ...valuePaths(spec ?? {}).filter((p) => p.length > 0),
        ...['host', 'address', 'tls', 'weight', 'idle_timeout_ms', 'resolver', 'circuit_breakers']
          .filter((f) => spec?.[f] === undefined)
          .map((f) => [f]),
      ];
      for (const path of paths) {
        for (const value of hostileValues) {
          const changed = resources.map((s, i) =>
            i === index ? { ...s, resource: { ...s.resource, spec: withValue(spec ?? {}, path, value) } } : s,
          );
          out.push({
            where: `${file} ${stored.resource.metadata.name} ${path.join('.')} = ${JSON.stringify(value)}`,
            resources: changed,
          });
        }
      }
    });
  }
  return out;
}

describe('hostile input: one wrong TCPMapping value never breaks the compile, and Attaché names it', () => {
  const sample = mutations();

  it(`survives ${sample.length} single-field mutations of TCPMappings`, () => {
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
