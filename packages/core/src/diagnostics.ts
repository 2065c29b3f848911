import type { ResourceRef } from './resource.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code from the registry, e.g. 'MAPPING_SERVICE_MISSING'. Tests assert codes, not text. */
  code: string;
  severity: Severity;
  /** One sentence that names the field and the fix. */
  message: string;
  /** The resource this is about; becomes a status condition / UI entry. */
  resource?: ResourceRef;
  /** JSON pointer into the resource, e.g. '/spec/service'. */
  path?: string;
  /** Stamped by the compiler: which plugin (and pass) reported it. */
  origin: { plugin: string; pass?: string };
}

/** What a pass reports; the compiler stamps `origin` and `severity`. */
export interface DiagnosticInput {
  code: string;
  message: string;
  resource?: ResourceRef;
  path?: string;
  /** Overrides the code's default severity (rarely needed). */
  severity?: Severity;
}

export interface DiagnosticCodeSpec {
  severity: Severity;
  /** What the code means, for docs/diagnostics.md and `attache validate --explain`. */
  summary: string;
}

export type DiagnosticCodeTable = Readonly<Record<string, DiagnosticCodeSpec>>;

/** Codes the core itself reports. Plugins declare theirs with `reg.diagnostics({...})`. */
export const coreDiagnosticCodes = {
  RESOURCE_KIND_UNKNOWN: {
    severity: 'warning',
    summary: 'No registered plugin owns this apiVersion/kind; the resource is ignored.',
  },
  RESOURCE_KIND_MISSPELLED: {
    severity: 'error',
    summary:
      'No plugin handles this apiVersion/kind, but one handles a group or kind within a small edit distance (a typo); the resource is ignored. The message names the likely spelling.',
  },
  RESOURCE_INVALID: {
    severity: 'error',
    summary:
      'The resource envelope is malformed (apiVersion, kind or metadata.name missing or not a string; a name or namespace holding NUL, control characters or invalid Unicode).',
  },
  RESOURCE_DUPLICATE: {
    severity: 'error',
    summary: 'Two resources share kind, namespace and name; the one read first wins.',
  },
  FIELD_NEEDS_PLUGIN: {
    severity: 'warning',
    summary:
      'The resource sets a field that a plugin this distribution does not load implements (Mapping bypass_auth needs feature-auth); the field is ignored. The message names the plugin.',
  },
  KIND_NEEDS_PLUGIN: {
    severity: 'warning',
    summary:
      'The resource is of a kind that a plugin this distribution does not load implements (LogService needs feature-logging); the resource is ignored. The message names the plugin.',
  },
  PASS_FAILED: {
    severity: 'error',
    summary: 'A compiler pass threw; this is a bug in the plugin named in the origin. Its output is dropped.',
  },
  ENVOY_REJECTED: {
    severity: 'error',
    summary:
      'A generated Envoy resource failed strict validation or was NACKed by Envoy; it was left out and the resources behind it are named.',
  },
  RESOURCE_LAST_GOOD: {
    severity: 'error',
    summary:
      'The resource was valid and turned invalid; `serve` keeps serving its last good version (keepLastGood) until it is fixed or deleted. The message says since when.',
  },
  SOURCE_ERROR: {
    severity: 'error',
    summary:
      'A source could not read its input (syntax error, unreachable API); the last good contents are kept.',
  },
  SOURCE_WARNING: {
    severity: 'warning',
    summary:
      'A source read its input but something looks wrong (a path that holds no resources, a symbolic link loop); the message says what.',
  },
} as const satisfies DiagnosticCodeTable;

/**
 * The one registry of diagnostic codes for a plugin set. Every code a pass
 * reports must be declared here; an undeclared code is a programmer error.
 */
export class DiagnosticRegistry {
  readonly #codes = new Map<string, DiagnosticCodeSpec & { plugin: string }>();

  constructor() {
    this.add('core', coreDiagnosticCodes);
  }

  add(plugin: string, table: DiagnosticCodeTable): void {
    for (const [code, spec] of Object.entries(table)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(code)) {
        throw new Error(`plugin '${plugin}' declares diagnostic code '${code}': codes are UPPER_SNAKE_CASE`);
      }
      const existing = this.#codes.get(code);
      if (existing && existing.plugin !== plugin) {
        throw new Error(
          `diagnostic code ${code} is declared by both '${existing.plugin}' and '${plugin}'; prefix codes with the plugin's domain`,
        );
      }
      this.#codes.set(code, { ...spec, plugin });
    }
  }

  get(code: string): (DiagnosticCodeSpec & { plugin: string }) | undefined {
    return this.#codes.get(code);
  }

  has(code: string): boolean {
    return this.#codes.has(code);
  }

  /** Every code, sorted, for documentation. */
  entries(): Array<[string, DiagnosticCodeSpec & { plugin: string }]> {
    return [...this.#codes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order for printing and golden files. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const ka = diagnosticSortKey(a);
  const kb = diagnosticSortKey(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

function diagnosticSortKey(d: Diagnostic): Array<string | number> {
  const r = d.resource;
  return [
    r ? `${r.kind}/${r.namespace ?? ''}/${r.name}` : '',
    d.path ?? '',
    severityRank[d.severity],
    d.code,
    d.message,
  ];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Escape one JSON pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function jsonPointer(...segments: Array<string | number>): string {
  return segments.map((s) => `/${pointerSegment(s)}`).join('');
}
