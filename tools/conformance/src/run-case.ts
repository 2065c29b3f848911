import { readFileSync } from 'node:fs';
import type { CompileResult, StoredResource } from '@attache/core';
import { compareStrings } from '@attache/core';
import { buildEnvoyModel } from '@attache/explain';
import type { ConformanceCase } from './cases.js';
import { behaviourNamer } from './cluster-identity.js';
import { compareConfigs } from './compare.js';
import { type Compiler, errorDiagnostics, readResources } from './compile-attache.js';
import { emissaryNameAsIs, emissaryNameFromProvenance } from './emissary-names.js';
import { withAnonymousCertificates, withHarnessSecrets } from './harness-secrets.js';
import { hostsemToBootstrap } from './hostsem.js';

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

export function runCase(c: ConformanceCase, compiler: Compiler | Error): CaseResult {
  if (c.kind === 'not-applicable') return { id: c.id, status: 'n/a', detail: c.reason };
  if (compiler instanceof Error)
    return { id: c.id, status: 'fail', detail: `Attaché compiler unavailable: ${compiler.message}` };
  let resources: StoredResource[];
  let result: CompileResult;
  try {
    resources = c.inputs.flatMap(readResources);
    if (c.kind === 'envoy' && c.harnessSecrets) resources = withHarnessSecrets(resources);
    result = compiler(resources);
  } catch (e) {
    return { id: c.id, status: 'fail', detail: `compile threw: ${(e as Error).message}` };
  }
  const hostsem = c.kind === 'hostsem';
  const byName = c.kind === 'hostsem' || c.clustersUndefined;
  const expected = buildEnvoyModel({ bootstrap: hostsem ? hostsemToBootstrap(c.expected) : c.expected });
  const actual = buildEnvoyModel({ xds: result.xds, ir: result.ir });
  if (c.kind === 'envoy' && c.harnessSecrets) {
    withAnonymousCertificates(expected);
    withAnonymousCertificates(actual);
  }
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
