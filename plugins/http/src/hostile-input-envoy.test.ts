import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { buildStaticBootstrap, envoyPlugin } from '@attache/envoy';
import { envoyMissingMessage, findEnvoyBinary, resourcesFromYaml, valuePaths } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from './index.js';

/**
 * The hostile-input idea with a real Envoy as the judge: a sample of golden inputs, each
 * with one field set to a wrong, empty, extreme or metacharacter value, is compiled and the
 * output handed to `envoy --mode validate` as a static bootstrap, which must accept it.
 * This is how Envoy's refusals beyond its protos are found (Lua scripts it cannot load,
 * RE2 program sizes, format commands…): each one found becomes a check on the user's field
 * and a rule of the validator, and then hostile-input.test.ts holds it without Envoy.
 *
 * Opt-in, since every case starts an Envoy (about 50 ms):
 *
 *   HOSTILE_ENVOY=1200 npx vitest run plugins/http/src/hostile-input-envoy.test.ts
 *
 * On 2026-12-06 (after the Lua check): HOSTILE_ENVOY=1200 ran 1,214 mutations and
 * HOSTILE_ENVOY=4000 ran 4,044; Envoy 1.39.3 accepted every output (outputs that name a
 * file of the Envoy container, error pages and access logs, are not judged here). Before
 * it, the same run found Module lua_scripts values that Envoy refuses.
 */
const sampleSize = Number(process.env.HOSTILE_ENVOY ?? 0);
const envoy = findEnvoyBinary();
if (sampleSize > 0 && !envoy) console.warn(envoyMissingMessage('hostile-input-envoy'));

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, envoyPlugin];

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
  '[',
  '%',
  '/../',
  'ünïcödé',
  {},
  [],
  1e308,
  9223372036000,
  'x\r\ninjected: 1',
  '100%',
  '/[a-z]{500}',
  'a b',
  ':',
  '%REQ(x)%',
  '0s',
  'http://x',
  65536,
  4294967296,
];

interface Mutation {
  file: string;
  resources: StoredResource[];
  index: number;
  path: Array<string | number>;
  value: unknown;
}

function mutations(limit: number): Mutation[] {
  const all: Mutation[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()) {
    const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
    resources.forEach((stored, index) => {
      const { apiVersion: _a, kind: _k, metadata: _m, ...body } = stored.resource;
      for (const path of valuePaths(body).filter((p) => p.length > 0)) {
        for (const value of hostileValues) all.push({ file, resources, index, path, value });
      }
    });
  }
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0);
}

function mutated(m: Mutation): StoredResource[] {
  return m.resources.map((stored, i) => {
    if (i !== m.index) return stored;
    const copy = structuredClone(stored.resource) as unknown as Record<string | number, unknown>;
    let at = copy;
    for (const key of m.path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    at[m.path.at(-1)!] = m.value;
    return { ...stored, resource: copy as unknown as StoredResource['resource'] };
  });
}

describe.skipIf(sampleSize === 0 || !envoy)('hostile input judged by a real Envoy (HOSTILE_ENVOY=n)', () => {
  it(`Envoy accepts the output of ${sampleSize} single-field mutations`, () => {
    const tmp = mkdtempSync(join(tmpdir(), 'attache-hostile-envoy-'));
    const refusals: string[] = [];
    let checked = 0;
    try {
      for (const m of mutations(sampleSize)) {
        const result = compile(mutated(m), plugins);
        const file = join(tmp, 'bootstrap.json');
        writeFileSync(file, JSON.stringify(buildStaticBootstrap(result.xds)));
        checked++;
        try {
          execFileSync(
            envoy!,
            ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'],
            {
              stdio: 'pipe',
            },
          );
        } catch (error) {
          const out = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`;
          const reason =
            out
              .split('\n')
              .filter(Boolean)
              .at(-1)
              ?.replace(/^.*configuration '[^']*': /, '') ?? '';
          // Files the configuration names live in the Envoy container, not here.
          if (/Invalid path: |unable to open file /.test(reason)) continue;
          refusals.push(`${m.file} #${m.index} ${m.path.join('.')} = ${JSON.stringify(m.value)}: ${reason}`);
        }
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    console.log(`hostile-input-envoy: ${checked} mutations, ${refusals.length} refused by Envoy`);
    expect(refusals.slice(0, 20)).toEqual([]);
  }, 3_600_000);
});
