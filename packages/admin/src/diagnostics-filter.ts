import type { Diagnostic, Severity } from '@attache/core';

export interface DiagnosticsFilter {
  kind?: string;
  namespace?: string;
  name?: string;
  severity?: Severity;
  code?: string;
}

/** Exact matches on every given field; a diagnostic without a resource only matches filters that name none. */
export function filterDiagnostics(
  diagnostics: readonly Diagnostic[],
  filter: DiagnosticsFilter,
): Diagnostic[] {
  return diagnostics.filter(
    (d) =>
      (filter.severity === undefined || d.severity === filter.severity) &&
      (filter.code === undefined || d.code === filter.code) &&
      (filter.kind === undefined || d.resource?.kind === filter.kind) &&
      (filter.namespace === undefined || (d.resource?.namespace ?? '') === filter.namespace) &&
      (filter.name === undefined || d.resource?.name === filter.name),
  );
}
