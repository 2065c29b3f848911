import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile } from '../../packages/core/src/index.js';
import { buildStaticBootstrap, envoyPlugin } from '../../packages/envoy/src/index.js';
import { envoyMissingMessage, findEnvoyBinary, resourcesFromYaml } from '../../packages/testkit/src/index.js';
import { loggingPlugin } from '../../plugins/feature-logging/src/index.js';
import { tracingPlugin } from '../../plugins/feature-tracing/src/index.js';
import { httpPlugin } from '../../plugins/http/src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: Envoy JSON, read field by field
type Json = Record<string, any>;

/**
 * What feature-logging and feature-tracing emit for every golden input of
 * theirs (every driver: zipkin, opentelemetry, datadog; LogService http and
 * tcp) is accepted by a real Envoy 1.39 (`envoy --mode validate` on a static
 * bootstrap); and the claim behind TRACING_DRIVER_UNSUPPORTED holds: this
 * Envoy refuses a Lightstep provider.
 */
const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('e2e-envoy observability validate'));

const plugins = [httpPlugin, loggingPlugin, tracingPlugin, envoyPlugin];
const dirs = ['../../plugins/feature-logging/src/testdata', '../../plugins/feature-tracing/src/testdata'].map(
  (d) => fileURLToPath(new URL(d, import.meta.url)),
);

/** Envoy's verdict on a bootstrap: undefined when it accepts it, else its last lines. */
function refusal(bootstrap: unknown): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'attache-obs-validate-'));
  try {
    const file = join(dir, 'bootstrap.json');
    writeFileSync(file, JSON.stringify(bootstrap));
    execFileSync(envoy!, ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'], {
      stdio: 'pipe',
    });
    return undefined;
  } catch (error) {
    const out = `${(error as { stdout?: Buffer }).stdout ?? ''}${(error as { stderr?: Buffer }).stderr ?? ''}`;
    return out.split('\n').filter(Boolean).slice(-3).join(' ').slice(-600) || String(error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function bootstrapOf(dir: string, file: string) {
  const result = compile(resourcesFromYaml(readFileSync(join(dir, file), 'utf8'), file), plugins);
  return buildStaticBootstrap(result.xds);
}

describe.skipIf(!envoy)('Envoy 1.39 accepts what feature-logging and feature-tracing emit', () => {
  for (const dir of dirs) {
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.in.yaml'))
      .sort()) {
      it(`${dir.split('/').at(-3)} ${file}`, () => {
        expect(refusal(bootstrapOf(dir, file))).toBeUndefined();
      });
    }
  }

  it('and refuses a Lightstep tracer, which is why the lightstep driver is a diagnostic', () => {
    const tracingDir = dirs[1]!;
    const bootstrap = bootstrapOf(tracingDir, 'zipkin.in.yaml') as {
      static_resources: {
        listeners: Array<{ filter_chains: Array<{ filters: Array<{ typed_config: Json }> }> }>;
      };
    };
    let replaced = 0;
    for (const l of bootstrap.static_resources.listeners)
      for (const fc of l.filter_chains)
        for (const f of fc.filters) {
          const provider = f.typed_config?.tracing?.provider;
          if (!provider) continue;
          f.typed_config.tracing.provider = {
            name: 'envoy.tracers.lightstep',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.config.trace.v3.LightstepConfig',
              collector_cluster: provider.typed_config.collector_cluster,
              access_token_file: '/dev/null',
            },
          };
          replaced++;
        }
    expect(replaced).toBeGreaterThan(0);
    const verdict = refusal(bootstrap);
    console.info(`Envoy on a Lightstep provider: ${verdict}`);
    expect(verdict).toMatch(/LightstepConfig|lightstep/i);
  });
});
