import type { EnvoyModel } from '@attache/explain';
import type { ClusterNamer } from './cluster-identity.js';
import { firstDifference, formatDifference } from './diff.js';
import { withoutEmissaryInternals } from './emissary-internal.js';
import { describeSignature, evaluate, generateProbes } from './probes.js';
import { summarise } from './summary.js';

export interface Side {
  model: EnvoyModel;
  clusterNamer: ClusterNamer;
}

export interface Comparison {
  /** First difference of the behavioural summaries, or undefined when equal. */
  summary?: string;
  /** First probe whose outcome differs, or undefined when all agree. */
  probe?: string;
  probes: number;
  differingProbes: number;
}

export interface CompareOptions {
  /** Compare behavioural summaries (off when one side is itself a lossy summary). */
  summary?: boolean;
  /** Compare only where requests go (clusters, redirect scheme, 404), not rewrites or timeouts. */
  coarse?: boolean;
}

/** Compares two configurations by behaviour: summaries first, then probe requests. */
export function compareConfigs(expected: Side, actual: Side, options: CompareOptions = {}): Comparison {
  const e = withoutEmissaryInternals(expected.model);
  const a = withoutEmissaryInternals(actual.model);
  const result: Comparison = { probes: 0, differingProbes: 0 };

  if (options.summary !== false) {
    const diff = firstDifference(summarise(e, expected.clusterNamer), summarise(a, actual.clusterNamer));
    if (diff) result.summary = formatDifference(diff);
  }

  const probes = generateProbes([e, a]);
  result.probes = probes.length;
  for (const probe of probes) {
    const want = evaluate(e, probe, expected.clusterNamer, options.coarse === true);
    const got = evaluate(a, probe, actual.clusterNamer, options.coarse === true);
    const d = firstDifference(want, got);
    if (!d) continue;
    result.differingProbes++;
    if (result.probe === undefined) {
      const wanted = describeSignature(want);
      const gotten = describeSignature(got);
      // When the one-line accounts already differ they say it all; otherwise name the differing field.
      const field = wanted === gotten ? ` (${formatDifference(d)})` : '';
      result.probe = `${probe.label}: expected ${wanted}; got ${gotten}${field}`;
    }
  }
  return result;
}
