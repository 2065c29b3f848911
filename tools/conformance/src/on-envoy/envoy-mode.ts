import { envoyMissingMessage, findEnvoyBinary } from '@attache/testkit';
import type { ConformanceCase } from '../cases.js';
import type { Compiler } from '../compile-attache.js';
import { envoyCases } from './envoy-cases.js';
import { standInCertificate } from './placeholder-secrets.js';
import { type EnvoyCaseResult, runCaseOnEnvoy } from './run-on-envoy.js';

export interface EnvoyModeOptions {
  /** The conformance cases already chosen (by --case). */
  cases: readonly ConformanceCase[];
  /** The examples folder (each resource folder in it is a case). */
  examples: string;
  /** --case values, to choose among the examples too. */
  wanted: readonly string[];
  compiler: Compiler;
  /** --envoy: no Envoy is an error, not a skip. */
  required: boolean;
  verbose: boolean;
  /** Serve over delta ADS instead of state-of-the-world. */
  delta: boolean;
}

/**
 * The real-Envoy half of a conformance run: every case served to Envoy and
 * every probe sent through it. Prints one line per case and the counts;
 * 'unavailable' when --envoy was given and there is no Envoy.
 */
export async function runOnEnvoy(
  options: EnvoyModeOptions,
): Promise<{ passed: number; failed: number } | 'unavailable'> {
  const binary = findEnvoyBinary();
  if (!binary) {
    process.stderr.write(envoyMissingMessage('conformance on real Envoy'));
    return options.required ? 'unavailable' : { passed: 0, failed: 0 };
  }
  const wanted = options.wanted;
  const chosen = envoyCases(options.cases, options.examples).filter(
    (c) =>
      wanted.length === 0 ||
      !c.id.startsWith('examples/') ||
      wanted.some((w) => c.id === w || c.id.includes(w)),
  );
  process.stdout.write(
    `\n== on real Envoy (${binary}): each case served over ${options.delta ? 'delta' : 'SotW'} ADS, every probe sent through Envoy and held against explain\n`,
  );
  const certificate = standInCertificate();
  const results: EnvoyCaseResult[] = [];
  const width = Math.max(4, ...chosen.map((c) => c.id.length));
  process.stdout.write(`${'case'.padEnd(width)}  result  detail\n`);
  for (const c of chosen) {
    let r = await runCaseOnEnvoy(c, options.compiler, { binary, certificate, delta: options.delta });
    // A free port can be taken by another process between choosing it and Envoy binding it:
    // that is this machine, not the case, so the case runs again on new ports (at most twice).
    for (
      let retry = 1;
      retry <= 2 && r.status === 'fail' && /Address already in use/.test(r.detail);
      retry++
    ) {
      r = await runCaseOnEnvoy(c, options.compiler, { binary, certificate, delta: options.delta });
      r.detail += ` (run ${retry + 1}: a port was taken by another process before Envoy bound it)`;
    }
    results.push(r);
    const limit = options.verbose ? Number.POSITIVE_INFINITY : 400;
    const detail = r.detail.length > limit ? `${r.detail.slice(0, limit - 3)}...` : r.detail;
    process.stdout.write(`${r.id.padEnd(width)}  ${r.status.toUpperCase().padEnd(6)}  ${detail}\n`);
    if (options.verbose) {
      for (const d of r.disagreements)
        process.stdout.write(
          `${''.padEnd(width)}          ${d.probe}: explain ${d.explain}; Envoy ${d.envoy}\n`,
        );
      if (r.substituted.length > 0)
        process.stdout.write(
          `${''.padEnd(width)}          generated certificate for: ${r.substituted.join(', ')}\n`,
        );
    }
  }
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.length - passed;
  const probes = results.reduce((n, r) => n + r.probes, 0);
  const differing = results.reduce((n, r) => n + r.disagreements.length, 0);
  const rejected = results.reduce(
    (n, r) => n + Object.values(r.rejected ?? {}).reduce((a, b) => a + b, 0),
    0,
  );
  const withPlaceholders = results.filter((r) => r.substituted.length > 0).length;
  process.stdout.write(
    `on real Envoy: ${probes} probes, ${differing} where Envoy and explain differ; ${rejected} rejected updates; ` +
      `${withPlaceholders} cases had placeholder certificates Envoy cannot load, replaced by a generated one\n`,
  );
  process.stdout.write(`on real Envoy: ${passed} passed, ${failed} failed\n`);
  return { passed, failed };
}
