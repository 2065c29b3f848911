#!/usr/bin/env node
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseHeaderLine, parseRequestLine } from '@attache/explain';
import { discoverCases } from './cases.js';
import { type Compiler, loadAttacheCompiler } from './compile-attache.js';
import { discoverAuthCases, printAuthResults, runAuthCase } from './features-auth.js';
import { discoverGrpcCases, printGrpcResults, runGrpcCase } from './features-grpc.js';
import {
  discoverObservabilityCases,
  printObservabilityResults,
  runObservabilityCase,
} from './features-observability.js';
import { discoverRateLimitCases, printRateLimitResults, runRateLimitCase } from './features-ratelimit.js';
import { discoverResolverCases, printResolverResults, runResolverCase } from './features-resolvers.js';
import { discoverTcpCases, printTcpResults, runTcpCase } from './features-tcp.js';
import { readKnownDifferences } from './known-differences.js';
import { runOnEnvoy } from './on-envoy/envoy-mode.js';
import { type CaseResult, explainCase, runCase } from './run-case.js';

const USAGE = `usage: attache-conformance [--shared DIR] [--case ID]… [--report-only] [--verbose] [--json FILE]
                           [--envoy | --no-envoy] [--delta] [--examples DIR]
       attache-conformance --case ID --explain 'METHOD URL' [-H 'name: value']…

Compiles every conformance case with Attaché and compares its behaviour with
Emissary's expected output. Exits 1 when a case fails (not listed in
known-differences.yaml), unless --report-only. With --explain, prints how
each side handles that one request instead (to chase a difference).

Then, when an Envoy binary is present ($ENVOY_BIN, or tools/envoy/get.sh's
cache) or --envoy is given, serves each case and each examples/ folder to a
real Envoy over ADS and sends every probe through it: Envoy must take every
update and answer each probe as the explain model says. --no-envoy skips it;
--delta serves over delta (incremental) ADS instead of state-of-the-world.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      shared: { type: 'string' },
      case: { type: 'string', multiple: true },
      'report-only': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      explain: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true, default: [] },
      envoy: { type: 'boolean' },
      'no-envoy': { type: 'boolean', default: false },
      examples: { type: 'string' },
      delta: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const shared = resolve(values.shared ?? findShared());
  if (!existsSync(join(shared, 'conformance'))) {
    process.stderr.write(
      `no conformance data under ${shared}; pass --shared DIR (the folder holding conformance/)\n`,
    );
    return 2;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const known = readKnownDifferences(join(here, '..', 'known-differences.yaml'));
  let cases = discoverCases(shared);
  if (values.case && values.case.length > 0) {
    const wanted = values.case;
    cases = cases.filter((c) =>
      wanted.some((w) => c.id === w || c.id.startsWith(`${w}-`) || c.id.includes(w)),
    );
  }
  let compiler: Compiler | Error;
  try {
    compiler = await loadAttacheCompiler();
  } catch (e) {
    compiler = e instanceof Error ? e : new Error(String(e));
  }

  if (values.explain !== undefined) {
    const { method, url } = parseRequestLine(values.explain);
    const headers = values.header.map(parseHeaderLine).filter((h): h is [string, string] => h !== undefined);
    for (const c of cases) process.stdout.write(`${explainCase(c, compiler, { method, url, headers })}\n`);
    return 0;
  }

  const results: CaseResult[] = [];
  for (const c of cases) {
    const skip = known.find((k) => k.case === c.id);
    const r = runCase(c, compiler);
    if (skip && r.status !== 'n/a') {
      results.push({
        ...r,
        status: 'skip',
        detail: `${skip.reason} (${skip.docs})${r.status === 'pass' ? '; note: it now passes' : ''}`,
      });
    } else results.push(r);
  }
  printTable(results, values.verbose === true);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  const passed = results.filter((r) => r.status === 'pass').length;
  const failed = results.filter((r) => r.status === 'fail').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const na = results.filter((r) => r.status === 'n/a').length;
  if (na > 0) process.stdout.write(`${na} not applicable (no Envoy output to compare; reasons above)\n`);
  process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);

  // Feature cases (../shared/conformance/features): the rate-limit parts, counted (features-ratelimit.ts).
  const rateLimitCases = discoverRateLimitCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const rateLimitFailed =
    rateLimitCases.length > 0
      ? printRateLimitResults(
          rateLimitCases.map((c) => runRateLimitCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  // The AuthService parts, counted (features-auth.ts).
  const authCases = discoverAuthCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const authFailed =
    authCases.length > 0
      ? printAuthResults(
          authCases.map((c) => runAuthCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  // The gRPC parts, counted (features-grpc.ts).
  const grpcCases = discoverGrpcCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const grpcFailed =
    grpcCases.length > 0
      ? printGrpcResults(
          grpcCases.map((c) => runGrpcCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  // The TCPMapping parts, counted (features-tcp.ts).
  const tcpCases = discoverTcpCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const tcpFailed =
    tcpCases.length > 0
      ? printTcpResults(
          tcpCases.map((c) => runTcpCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  // The LogService, TracingService and Module access-log parts, counted (features-observability.ts).
  const observabilityCases = discoverObservabilityCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const observabilityFailed =
    observabilityCases.length > 0
      ? printObservabilityResults(
          observabilityCases.map((c) => runObservabilityCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  // The resolver parts (route clusters with their EDS service names), counted (features-resolvers.ts).
  const resolverCases = discoverResolverCases(shared).filter(
    (c) => !values.case?.length || values.case.some((w) => c.id.includes(w)),
  );
  const resolverFailed =
    resolverCases.length > 0
      ? printResolverResults(
          resolverCases.map((c) => runResolverCase(c)),
          (s) => process.stdout.write(s),
        )
      : 0;

  let envoyFailed = 0;
  if (!values['no-envoy'] && !(compiler instanceof Error)) {
    const examples = resolve(values.examples ?? join(here, '..', '..', '..', 'examples'));
    const outcome = await runOnEnvoy({
      cases,
      examples,
      wanted: values.case ?? [],
      compiler,
      required: values.envoy === true,
      verbose: values.verbose === true,
      delta: values.delta === true,
    });
    if (outcome === 'unavailable') return 2;
    envoyFailed = outcome.failed;
  }
  if ((observabilityFailed > 0 || resolverFailed > 0) && !values['report-only']) return 1;
  return (failed > 0 ||
    envoyFailed > 0 ||
    rateLimitFailed > 0 ||
    authFailed > 0 ||
    grpcFailed > 0 ||
    tcpFailed > 0) &&
    !values['report-only']
    ? 1
    : 0;
}

/** ../shared from the working directory (CI's layout), else beside the repository. */
function findShared(): string {
  for (const candidate of ['../shared', '../../shared', '../../../shared']) {
    if (existsSync(join(candidate, 'conformance'))) return candidate;
  }
  return '../shared';
}

function printTable(results: CaseResult[], verbose: boolean): void {
  const width = Math.max(4, ...results.map((r) => r.id.length));
  const limit = verbose ? Number.POSITIVE_INFINITY : 400;
  process.stdout.write(`${'case'.padEnd(width)}  result  first difference\n`);
  for (const r of results) {
    const detail = r.detail.length > limit ? `${r.detail.slice(0, limit - 3)}...` : r.detail;
    process.stdout.write(`${r.id.padEnd(width)}  ${r.status.toUpperCase().padEnd(6)}  ${detail}\n`);
    const errs = r.resourcesWithErrors;
    if (verbose && errs && (errs.emissary.length > 0 || errs.attache.length > 0)) {
      process.stdout.write(
        `${''.padEnd(width)}          errors: Emissary on [${errs.emissary.join(', ')}]; Attaché on [${errs.attache.join(', ')}]\n`,
      );
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`conformance runner failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
