import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, type StoredResource } from '../../packages/core/src/index.js';
import { buildStaticBootstrap, envoyPlugin } from '../../packages/envoy/src/index.js';
import {
  envoyMissingMessage,
  findEnvoyBinary,
  resourcesFromYaml,
  valuePaths,
  withValue,
} from '../../packages/testkit/src/index.js';
import { tcpPlugin } from '../../plugins/feature-tcp/src/index.js';
import { httpPlugin } from '../../plugins/http/src/index.js';

/**
 * What feature-tcp emits is accepted by a real Envoy 1.39 (`envoy --mode
 * validate` on a static bootstrap): every golden input, and the distinct
 * outputs of single-field hostile mutations of their TCPMappings that Attaché
 * accepted without an error (the validator's verdict checked by Envoy's own).
 * 40 distinct mutated outputs are judged on every run (each starts an Envoy).
 */
const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('e2e-envoy tcp validate'));

const plugins = [httpPlugin, tcpPlugin, envoyPlugin];
const dir = fileURLToPath(new URL('../../plugins/feature-tcp/src/testdata', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort();
const sampleSize = 40;

/** Envoy's verdict on a bootstrap: undefined when it accepts it, else its last lines. */
function refusal(bootstrap: unknown): string | undefined {
  const tmp = mkdtempSync(join(tmpdir(), 'attache-tcp-validate-'));
  try {
    const file = join(tmp, 'bootstrap.json');
    writeFileSync(file, JSON.stringify(bootstrap));
    execFileSync(envoy!, ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'], {
      stdio: 'pipe',
    });
    return undefined;
  } catch (error) {
    const out = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`;
    return out.split('\n').filter(Boolean).slice(-3).join(' ').slice(-600) || String(error);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const hostileValues: unknown[] = [
  '',
  ' ',
  0,
  1,
  65535,
  100,
  true,
  '*',
  '*.example.com',
  'UPPER.Example.COM',
  'xn--bcher-kva.example',
  '::',
  '127.0.0.1',
  '0',
  [],
  [{}],
  [{ max_connections: 0 }],
  'https://x:1',
  '4294967295',
];

/** Mutated inputs whose TCPMapping compiled without an error, by distinct output. */
function acceptedMutations(): Array<{ where: string; bootstrap: unknown }> {
  const out = new Map<string, { where: string; bootstrap: unknown }>();
  for (const file of files) {
    const resources = resourcesFromYaml(readFileSync(join(dir, file), 'utf8'), file);
    resources.forEach((stored, index) => {
      if (stored.resource.kind !== 'TCPMapping') return;
      const spec = (stored.resource.spec ?? {}) as Record<string, unknown>;
      const paths = [
        ...valuePaths(spec).filter((p) => p.length > 0),
        ...['host', 'address', 'weight', 'idle_timeout_ms', 'circuit_breakers']
          .filter((f) => spec[f] === undefined)
          .map((f) => [f]),
      ];
      for (const path of paths)
        for (const value of hostileValues) {
          const changed: StoredResource[] = resources.map((s, i) =>
            i === index ? { ...s, resource: { ...s.resource, spec: withValue(spec, path, value) } } : s,
          );
          const result = compile(changed, plugins);
          const name = stored.resource.metadata.name;
          if (result.diagnostics.some((d) => d.severity === 'error' && d.resource?.name === name)) continue;
          const bootstrap = buildStaticBootstrap(result.xds);
          const key = createHash('sha256').update(JSON.stringify(bootstrap)).digest('hex');
          if (!out.has(key))
            out.set(key, {
              where: `${file} ${name} ${path.join('.')} = ${JSON.stringify(value)}`,
              bootstrap,
            });
        }
    });
  }
  // A spread over the inputs and fields, the same one every run.
  const all = [...out.values()].sort((a, b) => (a.where < b.where ? -1 : 1));
  const step = Math.max(1, Math.floor(all.length / Math.max(1, sampleSize)));
  return all.filter((_, i) => i % step === 0).slice(0, sampleSize);
}

describe.skipIf(!envoy)('Envoy 1.39 accepts what feature-tcp emits', () => {
  for (const file of files) {
    it(`golden ${file}`, () => {
      const result = compile(resourcesFromYaml(readFileSync(join(dir, file), 'utf8'), file), plugins);
      expect(refusal(buildStaticBootstrap(result.xds))).toBeUndefined();
    });
  }

  it(`and up to ${sampleSize} distinct outputs of hostile TCPMapping values Attaché accepted`, () => {
    const sample = acceptedMutations();
    expect(sample.length).toBeGreaterThan(Math.min(10, sampleSize));
    const refused = sample.flatMap((m) => {
      const verdict = refusal(m.bootstrap);
      return verdict ? [`${m.where}: ${verdict}`] : [];
    });
    expect(refused, refused.slice(0, 10).join('\n')).toEqual([]);
  }, 600_000);
});
