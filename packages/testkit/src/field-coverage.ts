import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * Field coverage of one resource kind: every leaf field of its spec schema
 * has a row on its reference page and is set by a golden that compiled
 * without an error on it. The checks return what is missing; the plugin's
 * test asserts it is empty, so each plugin keeps its own assertions.
 */

/** A JSON Schema as TypeBox builds it, read only for properties and items. */
export interface SchemaShape {
  properties?: Record<string, unknown>;
  items?: unknown;
}

/** Every leaf field below a spec schema, as 'a.b[].c' (lists of objects walked into). */
export function schemaFieldPaths(schema: unknown, prefix = ''): string[] {
  const s = schema as SchemaShape;
  if (s.properties) {
    return Object.entries(s.properties).flatMap(([name, child]) => {
      const path = prefix ? `${prefix}.${name}` : name;
      const below = schemaFieldPaths(child, path);
      return below.length > 0 ? below : [path];
    });
  }
  if (s.items && (s.items as SchemaShape).properties) return schemaFieldPaths(s.items, `${prefix}[]`);
  return [];
}

/** The field names in backticks in the first cell of each Markdown table row that has a description. */
export function documentedFields(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|');
    if (cells.length < 4 || !cells[2]?.trim()) continue;
    for (const m of cells[1]!.matchAll(/`([A-Za-z0-9_.[\]]+)`/g)) out.add(m[1]!);
  }
  return out;
}

/** Whether `value` sets the field at 'a.b[].c' (for a list: any of its items). */
export function setsField(value: unknown, field: string): boolean {
  return setsSegments(value, field.split('.'));
}

function setsSegments(value: unknown, segments: string[]): boolean {
  if (segments.length === 0) return value !== undefined;
  const [head, ...rest] = segments;
  if (head!.endsWith('[]')) {
    const list = (value as Record<string, unknown> | undefined)?.[head!.slice(0, -2)];
    return Array.isArray(list) && list.some((item) => setsSegments(item, rest));
  }
  return setsSegments((value as Record<string, unknown> | undefined)?.[head!], rest);
}

interface KindDocument {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
}

/**
 * The v3alpha1 specs of `kind` in the goldens of `testdata` (`<case>.in.yaml`)
 * whose resource got no error diagnostic in `<case>.diagnostics.yaml`.
 */
export function goldenSpecsOfKind(testdata: string, kind: string): unknown[] {
  return readdirSync(testdata)
    .filter((f) => f.endsWith('.in.yaml'))
    .flatMap((file) => {
      const diagnostics = parse(
        readFileSync(join(testdata, file.replace('.in.yaml', '.diagnostics.yaml')), 'utf8'),
      ) as Array<{ severity: string; resource?: string }>;
      const broken = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.resource));
      return parseAllDocuments(readFileSync(join(testdata, file), 'utf8'))
        .map((d) => d.toJS() as KindDocument)
        .filter(
          (d) =>
            d?.kind === kind &&
            d.apiVersion === 'getambassador.io/v3alpha1' &&
            !broken.has(`${kind} ${d.metadata?.namespace ?? 'default'}/${d.metadata?.name}`),
        )
        .map((d) => d.spec);
    });
}

/** The specs of the `kind` documents in the page's yaml code blocks. */
export function exampleSpecsOfKind(markdown: string, kind: string): unknown[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) =>
    parseAllDocuments(m[1] ?? '')
      .map((d) => d.toJS() as KindDocument)
      .filter((d) => d?.kind === kind)
      .map((d) => d.spec),
  );
}

export interface FieldCoverage {
  /** Every leaf field of the spec schema. */
  fields: string[];
  /** Fields without a row on the reference page. */
  undocumented: string[];
  /** Fields no error-free golden sets, leaving out the allow-listed ones. */
  untested: string[];
  /** Allow-listed fields a golden sets after all: the allow list is stale. */
  staleAllowed: string[];
  /** The specs of the page's examples of the kind, for the caller's schema check. */
  examples: unknown[];
}

/**
 * The field coverage of one kind: its spec schema, its reference page's text,
 * its golden directory, and the fields no golden can set (each with its reason).
 */
export function fieldCoverage(options: {
  kind: string;
  schema: unknown;
  page: string;
  testdata: string;
  goldenAllowList?: Record<string, string>;
}): FieldCoverage {
  const allowed = options.goldenAllowList ?? {};
  const fields = schemaFieldPaths(options.schema);
  const names = documentedFields(options.page);
  const specs = goldenSpecsOfKind(options.testdata, options.kind);
  const isSet = (f: string) => specs.some((s) => setsField(s, f));
  return {
    fields,
    undocumented: fields.filter((f) => !names.has(f)),
    untested: fields.filter((f) => !(f in allowed) && !isSet(f)),
    staleAllowed: Object.keys(allowed).filter(isSet),
    examples: exampleSpecsOfKind(options.page, options.kind),
  };
}
