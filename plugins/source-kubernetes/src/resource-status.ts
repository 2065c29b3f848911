import type { Diagnostic } from '@attache/core';

export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ResourceStatus {
  state: 'Running' | 'Error';
  reason: string;
  conditions: StatusCondition[];
}

/**
 * The status a getambassador.io resource gets from its compile diagnostics:
 * Running and Accepted when it has no errors, else Error with the first
 * error's code and message. Warnings ride along in the condition message.
 * A resource served from its last good version (RESOURCE_LAST_GOOD) also gets
 * a ServingLastGood condition, so `kubectl get` shows that the old version is live.
 */
export function statusFromDiagnostics(
  diagnostics: readonly Diagnostic[],
  generation: number | undefined,
): ResourceStatus {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  const first = errors[0];
  const condition: StatusCondition = first
    ? {
        type: 'Accepted',
        status: 'False',
        reason: first.code,
        message: errors.map((d) => `${d.code}: ${d.message}`).join('; '),
      }
    : {
        type: 'Accepted',
        status: 'True',
        reason: 'Accepted',
        message: warnings.length
          ? warnings.map((d) => `${d.code}: ${d.message}`).join('; ')
          : 'The resource was compiled into the Envoy configuration.',
      };
  if (generation !== undefined) condition.observedGeneration = generation;
  const conditions = [condition];
  // The runtime serves the last good version of a resource that turned invalid: say so apart from Accepted.
  const lastGood = errors.find((d) => d.code === 'RESOURCE_LAST_GOOD');
  if (lastGood) {
    conditions.push({
      type: 'ServingLastGood',
      status: 'True',
      reason: 'ResourceInvalid',
      message: lastGood.message,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    });
  }
  return {
    state: first ? 'Error' : 'Running',
    reason: first ? `${first.code}: ${first.message}` : '',
    conditions,
  };
}

/**
 * The status to write, keeping each condition's lastTransitionTime when its
 * status did not flip; undefined when the current status already says the
 * same (so nothing is written).
 */
export function statusToWrite(
  desired: ResourceStatus,
  current: unknown,
  now: Date,
): ResourceStatus | undefined {
  const cur = (typeof current === 'object' && current !== null ? current : {}) as Partial<ResourceStatus>;
  const curConditions = Array.isArray(cur.conditions) ? cur.conditions : [];
  const conditions = desired.conditions.map((c) => {
    const previous = curConditions.find((p) => p?.type === c.type);
    const lastTransitionTime =
      previous && previous.status === c.status && previous.lastTransitionTime
        ? previous.lastTransitionTime
        : now.toISOString().replace(/\.\d+Z$/, 'Z');
    return { ...c, lastTransitionTime };
  });
  const next: ResourceStatus = { ...desired, conditions };
  const comparable = (s: Partial<ResourceStatus>) =>
    JSON.stringify({
      state: s.state,
      reason: s.reason,
      conditions: (s.conditions ?? []).map(
        ({ type, status, reason, message, observedGeneration, lastTransitionTime }) => ({
          type,
          status,
          reason,
          message,
          observedGeneration,
          lastTransitionTime,
        }),
      ),
    });
  return comparable(next) === comparable(cur) ? undefined : next;
}
