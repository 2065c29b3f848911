import {
  compareDiagnostics,
  type Diagnostic,
  type ResourceRef,
  refOf,
  resourceKey,
  type StatusReport,
  type StoredResource,
} from '@attache/core';

/**
 * One entry per input resource with the diagnostics that name it, so a
 * source that writes status can mark the clean ones accepted as well.
 */
export function buildStatusReport(
  inputs: readonly StoredResource[],
  diagnostics: readonly Diagnostic[],
): StatusReport {
  const byResource = new Map<string, { ref: ResourceRef; diagnostics: Diagnostic[] }>();
  for (const stored of inputs) {
    const r = stored.resource as Partial<StoredResource['resource']>;
    if (
      typeof r?.metadata?.name !== 'string' ||
      typeof r.kind !== 'string' ||
      typeof r.apiVersion !== 'string'
    )
      continue;
    const ref = refOf(stored.resource, stored.origin);
    const key = resourceKey(ref);
    if (!byResource.has(key)) byResource.set(key, { ref, diagnostics: [] });
  }
  const seen = new Set<string>();
  for (const d of diagnostics) {
    if (!d.resource) continue;
    const entry = byResource.get(resourceKey(d.resource));
    if (!entry) continue;
    const dedupe = JSON.stringify([resourceKey(d.resource), d.code, d.path, d.message]);
    if (seen.has(dedupe)) continue;
    seen.add(dedupe);
    entry.diagnostics.push(d);
  }
  for (const entry of byResource.values()) entry.diagnostics.sort(compareDiagnostics);
  return { byResource };
}
