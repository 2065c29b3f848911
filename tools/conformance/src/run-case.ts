import { readFileSync } from 'node:fs';
import type { CompileResult, StoredResource } from '@attache/core';
import { compareStrings } from '@attache/core';
import {
  buildEnvoyModel,
  type EnvoyModel,
  type ExplainRequest,
  explainRequest,
  formatExplanation,
} from '@attache/explain';
import type { ConformanceCase } from './cases.js';
import { behaviourNamer } from './cluster-identity.js';
import { compareConfigs } from './compare.js';
import { type Compiler, errorDiagnostics, readResources } from './compile-attache.js';
import { withoutEmissaryInternals } from './emissary-internal.js';
import { emissaryNameAsIs, emissaryNameFromProvenance } from './emissary-names.js';
import { withAnonymousCertificates, withHarnessSecrets } from './harness-secrets.js';
import { hostsemToBootstrap } from './hostsem.js';
import { standInCertificate, withParseableSecrets } from './on-envoy/placeholder-secrets.js';

/** One generated certificate per run, made on first need. */
let standIn: { cert: string; key: string } | undefined;

export interface CaseResult {
  id: string;
  status: 'pass' | 'fail' | 'skip' | 'n/a';
  /** First difference, skip reason or n/a reason. */
  detail: string;
  probes?: number;
  differingProbes?: number;
  /** Error diagnostics Attaché reported (informational). */
  errors?: number;
  /** Resources (namespace/name) with errors: Emissary's errors.json and Attaché's diagnostics (informational). */
  resourcesWithErrors?: { emissary: string[]; attache: string[] };
}

/** errors.json keys '<name>.<namespace>.<n>' as 'namespace/name'; '-global-' and internal objects as they are. */
function emissaryErrorResources(file: string | undefined): string[] {
  if (!file) return [];
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { errors?: Record<string, unknown> };
  return Object.keys(doc.errors ?? {})
    .map((key) => {
      const m = /^(.+)\.([^.]+)\.\d+$/.exec(key);
      return m ? `${m[2]}/${m[1]}` : key;
    })
    .sort(compareStrings);
}

interface Sides {
  expected: EnvoyModel;
  actual: EnvoyModel;
  resources: StoredResource[];
  result: CompileResult;
}

/** Compiles a case's input with Attaché and reads both sides into the explain model. */
function buildSides(
  c: Exclude<ConformanceCase, { kind: 'not-applicable' }>,
  compiler: Compiler,
): Sides | { error: string } {
  let resources: StoredResource[];
  let result: CompileResult;
  try {
    resources = c.inputs.flatMap(readResources);
    if (c.kind === 'envoy' && c.harnessSecrets) resources = withHarnessSecrets(resources);
    // Placeholder PEM (FAKE-CERT-…) is compiled as the real certificate it stands for: Attaché refuses
    // certificates Envoy cannot load, Emissary copied them; the comparison is about what a real one does.
    standIn ??= standInCertificate();
    result = compiler(withParseableSecrets(resources, standIn).resources);
  } catch (e) {
    return { error: `compile threw: ${(e as Error).message}` };
  }
  const expected = buildEnvoyModel({
    bootstrap: c.kind === 'hostsem' ? hostsemToBootstrap(c.expected) : c.expected,
  });
  const actual = buildEnvoyModel({ xds: result.xds, ir: result.ir });
  if (c.kind === 'envoy' && c.harnessSecrets) {
    withAnonymousCertificates(expected);
    withAnonymousCertificates(actual);
  }
  return { expected, actual, resources, result };
}

/** Both sides' explanation of one request, for chasing a difference by hand. */
export function explainCase(c: ConformanceCase, compiler: Compiler | Error, request: ExplainRequest): string {
  if (c.kind === 'not-applicable') return `${c.id}: not applicable (${c.reason})\n`;
  if (compiler instanceof Error) return `${c.id}: Attaché compiler unavailable: ${compiler.message}\n`;
  const sides = buildSides(c, compiler);
  if ('error' in sides) return `${c.id}: ${sides.error}\n`;
  const internal = (m: EnvoyModel) => withoutEmissaryInternals(m);
  return [
    `== ${c.id}: Emissary (expected)`,
    formatExplanation(explainRequest(internal(sides.expected), request)),
    `== ${c.id}: Attaché`,
    formatExplanation(explainRequest(internal(sides.actual), request)),
  ].join('\n');
}

export function runCase(c: ConformanceCase, compiler: Compiler | Error): CaseResult {
  if (c.kind === 'not-applicable') return { id: c.id, status: 'n/a', detail: c.reason };
  if (compiler instanceof Error)
    return { id: c.id, status: 'fail', detail: `Attaché compiler unavailable: ${compiler.message}` };
  const sides = buildSides(c, compiler);
  if ('error' in sides) return { id: c.id, status: 'fail', detail: sides.error };
  const { expected, actual, resources, result } = sides;
  const hostsem = c.kind === 'hostsem';
  const byName = c.kind === 'hostsem' || c.clustersUndefined;
  const comparison = compareConfigs(
    { model: expected, clusterNamer: byName ? emissaryNameAsIs : behaviourNamer },
    { model: actual, clusterNamer: byName ? emissaryNameFromProvenance(resources) : behaviourNamer },
    hostsem ? { summary: false, coarse: true } : {},
  );
  const errorList = errorDiagnostics(result);
  const errors = errorList.length;
  const resourcesWithErrors = {
    emissary: c.kind === 'envoy' ? emissaryErrorResources(c.errorsFile) : [],
    attache: [
      ...new Set(
        errorList.filter((d) => d.resource).map((d) => `${d.resource!.namespace ?? ''}/${d.resource!.name}`),
      ),
    ].sort(compareStrings),
  };
  const rejected = (warnings: string[]) => warnings.filter((w) => w.includes('Envoy rejects'));
  const ours = rejected(actual.warnings);
  const theirs = rejected(expected.warnings);
  // Emissary's output for a case may itself be one Envoy refuses (README: it copies invalid regexes);
  // say so beside the verdict, since a running Emissary would then serve none of it.
  const expectedNote =
    theirs.length > 0
      ? ` [note: Envoy would reject Emissary's expected configuration (${theirs.length} problems, first: ${theirs[0]}), so a running Emissary serves none of it]`
      : '';
  const base = {
    id: c.id,
    probes: comparison.probes,
    differingProbes: comparison.differingProbes,
    errors,
    resourcesWithErrors,
  };
  if (ours.length > 0) {
    return {
      ...base,
      status: 'fail',
      detail: `Envoy would reject Attaché's configuration: ${ours[0]}${ours.length > 1 ? ` (and ${ours.length - 1} more)` : ''}`,
    };
  }
  if (comparison.summary === undefined && comparison.probe === undefined)
    return {
      ...base,
      status: 'pass',
      detail: `${hostsem ? 'coarse outcomes only (the expected side is a route summary)' : 'summaries equal'}; all ${comparison.probes} probes agree${expectedNote}`,
    };
  const parts: string[] = [];
  if (comparison.summary) parts.push(`summary: ${comparison.summary}`);
  if (comparison.probe)
    parts.push(`probes (${comparison.differingProbes}/${comparison.probes} differ): ${comparison.probe}`);
  else parts.push(`probes: all ${comparison.probes} agree`);
  return { ...base, status: 'fail', detail: parts.join(' | ') + expectedNote };
}
