import { compareDiagnostics, type Diagnostic, formatRef } from '@attache/core';

const leadingLocation = /^(\S+?:\d+(?::\d+)?): (.*)$/s;

/**
 * One line per diagnostic, like a compiler's, so editors and CI annotate it:
 * `examples/quickstart/mappings.yaml:12: error MAPPING_SERVICE_MISSING: Mapping default/quote /spec/service: message`.
 * A diagnostic without a resource (a YAML syntax error) carries its location
 * at the start of its message.
 */
export function formatDiagnostic(d: Diagnostic): string {
  let location = d.resource?.source;
  let message = d.message;
  if (!location) {
    const m = leadingLocation.exec(message);
    if (m) {
      location = m[1];
      message = m[2]!;
    }
  }
  const subject = d.resource
    ? `${formatRef(d.resource)}${d.path ? ` ${d.path}` : ''}: `
    : d.path
      ? `${d.path}: `
      : '';
  return `${location ?? 'attache'}: ${d.severity} ${d.code}: ${subject}${message}`;
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return [...diagnostics]
    .sort(compareDiagnostics)
    .map((d) => `${formatDiagnostic(d)}\n`)
    .join('');
}

export function summarize(diagnostics: readonly Diagnostic[], resourceCount: number): string {
  const count = (severity: Diagnostic['severity']) =>
    diagnostics.filter((d) => d.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const read = `${plural(resourceCount, 'resource')} read`;
  if (errors === 0 && warnings === 0) return `no problems found (${read})`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} (${read})`;
}
