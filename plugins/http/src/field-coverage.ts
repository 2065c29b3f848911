/**
 * Field coverage: every field of every HTTP resource schema must be documented
 * in its reference page and set by at least one golden case. The walker and
 * the two checks are plain functions over plain data, so the test can prove on
 * a tiny schema that they report what is missing.
 */

/** One field of one kind: `segments` from the resource root, an array step ends in `[]`. */
export interface FieldPath {
  kind: string;
  segments: string[];
}

export const formatFieldPath = (f: FieldPath): string => `${f.kind} ${f.segments.join('.')}`;

type JsonSchema = {
  type?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

const hasProperties = (s: JsonSchema): boolean =>
  s.properties !== undefined && Object.keys(s.properties).length > 0;

/**
 * The leaf fields of a schema: objects with properties are walked into,
 * arrays of such objects too (the step gets `[]`); anything else — scalars,
 * lists of scalars, free-form objects and maps — is one field.
 */
export function collectFieldPaths(kind: string, schema: unknown, root: string[] = ['spec']): FieldPath[] {
  const out = new Map<string, FieldPath>();
  const visit = (s: JsonSchema, path: string[]) => {
    const branches = s.anyOf?.filter((b) => hasProperties(b) || (b.items && hasProperties(b.items)));
    if (branches && branches.length > 0) {
      for (const b of branches) visit(b, path);
      return;
    }
    if (hasProperties(s)) {
      for (const [name, child] of Object.entries(s.properties ?? {})) visit(child, [...path, name]);
      return;
    }
    if (s.type === 'array' && s.items && hasProperties(s.items)) {
      const last = path[path.length - 1] ?? '';
      visit(s.items, [...path.slice(0, -1), `${last}[]`]);
      return;
    }
    const field = { kind, segments: path };
    out.set(formatFieldPath(field), field);
  };
  visit(schema as JsonSchema, root);
  return [...out.values()];
}

// ---- documentation

/**
 * The names a reference page documents: every inline code span in the first
 * cell of a table row that has a non-empty second cell (the field's meaning).
 * Cells split on `|` not escaped as `\|`.
 */
export function documentedNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const [, first = '', meaning = ''] = cells;
    if (meaning === '' || /^-+$/.test(meaning.replace(/:/g, ''))) continue;
    for (const m of first.matchAll(/`([^`]+)`/g)) names.add(stripArraySteps(m[1] ?? ''));
  }
  return names;
}

const stripArraySteps = (name: string) => name.replace(/\[\]/g, '');

/**
 * The names that document a field: its path below `spec` (or below the root
 * given), and any shorter dotted suffix ending in the leaf that no other
 * field of the kind shares — so `cookie.ttl` or `ttl` documents
 * `load_balancer.cookie.ttl`, but `name` alone never documents `cookie.name`
 * when `tlsSecret.name` also exists.
 */
export function acceptedDocNames(field: FieldPath, siblings: FieldPath[], rootDepth = 1): string[] {
  const rel = field.segments.slice(rootDepth).map(stripArraySteps);
  const full = rel.join('.');
  const others = siblings
    .filter((s) => s !== field && s.kind === field.kind)
    .map((s) => s.segments.slice(rootDepth).map(stripArraySteps));
  const names = [full];
  for (let start = 1; start < rel.length; start++) {
    const suffix = rel.slice(start);
    const shared = others.some(
      (o) => o.length >= suffix.length && o.slice(o.length - suffix.length).join('.') === suffix.join('.'),
    );
    if (!shared) names.push(suffix.join('.'));
  }
  return names;
}

// ---- golden inputs

export interface GoldenInput {
  /** The case name, e.g. `fields-mapping-upstream`. */
  name: string;
  /** Parsed documents of `<case>.in.yaml`. */
  documents: unknown[];
  /** `Kind namespace/name` of every resource with an error diagnostic in `<case>.diagnostics.yaml`. */
  erroneous: Set<string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `value` sets the field at `segments` (in any element, across `[]` steps). */
export function setsPath(value: unknown, segments: string[]): boolean {
  if (segments.length === 0) return value !== undefined && value !== null;
  const [head = '', ...rest] = segments;
  if (!isRecord(value)) return false;
  if (head.endsWith('[]')) {
    const list = value[head.slice(0, -2)];
    return Array.isArray(list) && list.some((item) => setsPath(item, rest));
  }
  return setsPath(value[head], rest);
}

/**
 * Only `getambassador.io/v3alpha1` resources count (v2 ones are converted and
 * would need the converter to say which v3 field they set), and only those the
 * case compiles without an error: an invalid value covers nothing.
 */
export function goldenSetsField(input: GoldenInput, field: FieldPath): boolean {
  return input.documents.some((doc) => {
    if (!isRecord(doc) || doc.apiVersion !== 'getambassador.io/v3alpha1' || doc.kind !== field.kind)
      return false;
    const meta = isRecord(doc.metadata) ? doc.metadata : {};
    const name = String(meta.name ?? '');
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
    if (
      input.erroneous.has(`${field.kind} ${namespace}/${name}`) ||
      input.erroneous.has(`${field.kind} ${name}`)
    )
      return false;
    return setsPath(doc, field.segments);
  });
}

/** Error diagnostics of a golden case (`<case>.diagnostics.yaml` parsed) → erroneous resource refs. */
export function erroneousRefs(diagnostics: unknown): Set<string> {
  const refs = new Set<string>();
  if (!Array.isArray(diagnostics)) return refs;
  for (const d of diagnostics)
    if (isRecord(d) && d.severity === 'error' && typeof d.resource === 'string') refs.add(d.resource);
  return refs;
}

// ---- the whole check

/**
 * A field whose sub-fields are documented on another page: `from` (e.g.
 * Module `config.load_balancer`) has its own row, and each sub-field is
 * documented where `to` (Mapping `load_balancer`) documents the same one.
 */
export interface DocAlias {
  from: FieldPath;
  to: FieldPath;
}

/** `Kind spec.a.b[]` → a FieldPath (the inverse of formatFieldPath). */
export function parseFieldPath(id: string): FieldPath {
  const [kind = '', path = ''] = id.split(' ');
  return { kind, segments: path.split('.') };
}

export interface CoverageInputs {
  fields: FieldPath[];
  /** Kind → the text of its reference page. */
  docs: (kind: string) => string;
  docAliases?: DocAlias[];
  goldens: GoldenInput[];
  /** `Kind path` → why no golden can set it. */
  goldenAllowList: Record<string, string>;
}

export interface CoverageReport {
  checked: number;
  documented: number;
  inGoldens: number;
  undocumented: string[];
  untested: string[];
  /** Allow-listed fields a golden now sets: remove them from the list. */
  allowListedButCovered: string[];
  /** Allow-list entries that name no field. */
  allowListedUnknown: string[];
}

export function checkFieldCoverage(inputs: CoverageInputs): CoverageReport {
  const report: CoverageReport = {
    checked: inputs.fields.length,
    documented: 0,
    inGoldens: 0,
    undocumented: [],
    untested: [],
    allowListedButCovered: [],
    allowListedUnknown: [],
  };
  const docNames = new Map<string, Set<string>>();
  const namesOf = (kind: string) => {
    let names = docNames.get(kind);
    if (!names) {
      names = documentedNames(inputs.docs(kind));
      docNames.set(kind, names);
    }
    return names;
  };
  const byId = new Map(inputs.fields.map((f) => [formatFieldPath(f), f]));
  const documentedDirectly = (field: FieldPath) => {
    const names = namesOf(field.kind);
    return acceptedDocNames(field, inputs.fields).some((n) => names.has(n));
  };
  const documentedViaAlias = (field: FieldPath) =>
    (inputs.docAliases ?? []).some(({ from, to }) => {
      const n = from.segments.length;
      if (field.kind !== from.kind || field.segments.length <= n) return false;
      if (field.segments.slice(0, n).join('.') !== from.segments.join('.')) return false;
      const target = byId.get(
        formatFieldPath({ kind: to.kind, segments: [...to.segments, ...field.segments.slice(n)] }),
      );
      return target !== undefined && documentedDirectly(from) && documentedDirectly(target);
    });
  const known = new Set<string>();
  for (const field of inputs.fields) {
    const id = formatFieldPath(field);
    known.add(id);
    const documented = documentedDirectly(field) || documentedViaAlias(field);
    if (documented) report.documented++;
    else report.undocumented.push(id);

    const tested = inputs.goldens.some((g) => goldenSetsField(g, field));
    if (tested) report.inGoldens++;
    const allowListed = Object.hasOwn(inputs.goldenAllowList, id);
    if (tested && allowListed) report.allowListedButCovered.push(id);
    if (!tested && !allowListed) report.untested.push(id);
  }
  for (const id of Object.keys(inputs.goldenAllowList))
    if (!known.has(id)) report.allowListedUnknown.push(id);
  return report;
}
