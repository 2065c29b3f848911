import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  type CoverageInputs,
  checkFieldCoverage,
  collectFieldPaths,
  type DocAlias,
  erroneousRefs,
  formatFieldPath,
  type GoldenInput,
  parseFieldPath,
} from './field-coverage.js';
import { httpSpecSchemas } from './index.js';
import { FreeForm, StringMap, StringOrList } from './schemas/common.js';

const testdata = fileURLToPath(new URL('./testdata', import.meta.url));
const referenceDir = fileURLToPath(new URL('../../../docs/reference', import.meta.url));

/** The reference page of each kind. */
const docPage: Record<keyof typeof httpSpecSchemas, string> = {
  Mapping: 'mapping.md',
  Host: 'host.md',
  Listener: 'listener.md',
  TLSContext: 'tlscontext.md',
  Module: 'module.md',
  KubernetesServiceResolver: 'resolvers.md',
  KubernetesEndpointResolver: 'resolvers.md',
  ConsulResolver: 'resolvers.md',
};

/**
 * Shared shapes documented once: the Module's route and cluster defaults take
 * the Mapping's shapes (error_response_overrides too), Host `tls` takes TLSContext's, and Host `selector` is
 * the v2 spelling of `mappingSelector`. The parent still needs its own row.
 */
const docAliases: DocAlias[] = [
  ['Module spec.config.circuit_breakers[]', 'Mapping spec.circuit_breakers[]'],
  ['Module spec.config.load_balancer', 'Mapping spec.load_balancer'],
  ['Module spec.config.retry_policy', 'Mapping spec.retry_policy'],
  ['Module spec.config.cors', 'Mapping spec.cors'],
  ['Module spec.config.keepalive', 'Mapping spec.keepalive'],
  ['Module spec.config.error_response_overrides[]', 'Mapping spec.error_response_overrides[]'],
  ['Host spec.tls', 'TLSContext spec'],
  ['Host spec.selector', 'Host spec.mappingSelector'],
].map(([from = '', to = '']) => ({ from: parseFieldPath(from), to: parseFieldPath(to) }));

/**
 * Fields no golden case can meaningfully set, each with the reason. The test
 * fails when one of them gains a golden, so the list only ever shrinks.
 */
const goldenAllowList: Record<string, string> = {};

function loadGoldens(): GoldenInput[] {
  return readdirSync(testdata)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.in.yaml'.length);
      const documents = parseAllDocuments(readFileSync(join(testdata, file), 'utf8')).map((d) => d.toJS());
      const diagFile = join(testdata, `${name}.diagnostics.yaml`);
      const erroneous = erroneousRefs(existsSync(diagFile) ? parse(readFileSync(diagFile, 'utf8')) : []);
      return { name, documents, erroneous };
    });
}

interface ExampleDoc {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: unknown;
}

/** The documents of every ```yaml block of a page that parse as whole resources. */
function yamlBlocks(markdown: string): ExampleDoc[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) =>
    parseAllDocuments(m[1] ?? '')
      .map((d) => d.toJS() as unknown)
      .filter((d): d is ExampleDoc => typeof d === 'object' && d !== null && 'kind' in d),
  );
}

const allFields = () =>
  Object.entries(httpSpecSchemas).flatMap(([kind, schema]) => collectFieldPaths(kind, schema));

const listing = (ids: string[]) => ids.map((id) => `  ${id}`).join('\n');

describe('every field of every HTTP resource', () => {
  const inputs: CoverageInputs = {
    fields: allFields(),
    docs: (kind) => readFileSync(join(referenceDir, docPage[kind as keyof typeof docPage]), 'utf8'),
    docAliases,
    goldens: loadGoldens(),
    goldenAllowList,
  };
  const report = checkFieldCoverage(inputs);

  it('walks the schemas into nested objects and lists', () => {
    const ids = new Set(inputs.fields.map(formatFieldPath));
    for (const id of [
      'Mapping spec.load_balancer.cookie.ttl',
      'Mapping spec.circuit_breakers[].max_connections',
      'Mapping spec.health_checks[].health_check.http.expected_statuses[].min',
      'Mapping spec.outlier_detection',
      'Host spec.requestPolicy.insecure.action',
      'Host spec.tls.min_tls_version',
      'Listener spec.hostBinding.selector.matchExpressions[].operator',
      'Module spec.config.set_current_client_cert_details.uri',
      'ConsulResolver spec.datacenter',
    ])
      expect(ids, id).toContain(id);
  });

  it('documents each field in a table row of its kind’s reference page', () => {
    expect(
      report.undocumented,
      `${report.undocumented.length} of ${report.checked} fields have no table row in docs/reference/<kind>.md whose first cell names them in backticks (the path below spec, or a suffix no other field shares), with a meaning:\n${listing(report.undocumented)}`,
    ).toEqual([]);
  });

  it('sets each field in at least one golden case, on a resource without errors', () => {
    expect(
      report.untested,
      `${report.untested.length} of ${report.checked} fields are set by no v3alpha1 resource (without an error diagnostic) in plugins/http/src/testdata/*.in.yaml:\n${listing(report.untested)}`,
    ).toEqual([]);
  });

  it('shows each kind in a complete YAML example that fits its schema', () => {
    const problems: string[] = [];
    for (const [kind, schema] of Object.entries(httpSpecSchemas)) {
      const examples = yamlBlocks(inputs.docs(kind)).filter(
        (d) => d.apiVersion === 'getambassador.io/v3alpha1' && d.kind === kind,
      );
      if (examples.length === 0)
        problems.push(`${docPage[kind as keyof typeof docPage]}: no ${kind} example`);
      for (const example of examples) {
        const errors = [...Value.Errors(schema, example.spec ?? {})].map((e) => `${e.path} ${e.message}`);
        if (errors.length > 0)
          problems.push(`${kind} ${String(example.metadata?.name)}: ${errors.join('; ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps the golden allow-list exact', () => {
    expect(report.allowListedButCovered, 'now covered by a golden: remove from goldenAllowList').toEqual([]);
    expect(report.allowListedUnknown, 'not a field any more: remove from goldenAllowList').toEqual([]);
  });
});

describe('the field coverage check itself', () => {
  const Tiny = Type.Object({
    name: Type.String(),
    pool: Type.Optional(Type.Object({ size: Type.Integer(), tag: Type.Optional(Type.String()) })),
    rules: Type.Optional(Type.Array(Type.Object({ name: Type.String(), weight: Type.Integer() }))),
    aliases: Type.Optional(StringOrList('one or many')),
    labels: Type.Optional(StringMap('a map')),
    extra: Type.Optional(FreeForm()),
    ports: Type.Optional(Type.Array(Type.Integer())),
  });
  const fields = collectFieldPaths('Tiny', Tiny);
  const doc = [
    '| field | meaning |',
    '|---|---|',
    '| `name` | The name. |',
    '| `pool.size` | Pool size. |',
    '| `tag` | Tag, unique as a leaf so the bare name documents it. |',
    '| `rules[].name` | Rule name. |',
    '| `weight` | |',
    '| `aliases`, `labels` | Two at once. |',
    '| `ports: [80]` | An example is not a name. |',
  ].join('\n');
  const golden = (documents: unknown[], erroneous: string[] = []): GoldenInput => ({
    name: 'g',
    documents,
    erroneous: new Set(erroneous),
  });
  const tiny = (name: string, spec: unknown) => ({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Tiny',
    metadata: { name, namespace: 'default' },
    spec,
  });

  it('collects leaves, array steps and maps as fields', () => {
    expect(fields.map(formatFieldPath).sort()).toEqual([
      'Tiny spec.aliases',
      'Tiny spec.extra',
      'Tiny spec.labels',
      'Tiny spec.name',
      'Tiny spec.pool.size',
      'Tiny spec.pool.tag',
      'Tiny spec.ports',
      'Tiny spec.rules[].name',
      'Tiny spec.rules[].weight',
    ]);
  });

  it('reports undocumented fields: no row, an empty meaning, a shared leaf name', () => {
    const report = checkFieldCoverage({ fields, docs: () => doc, goldens: [], goldenAllowList: {} });
    // `weight` has no meaning; `extra` and `ports` no row; `name` documents only
    // spec.name, since rules[].name shares the leaf (rules[].name has its own row).
    expect(report.undocumented).toEqual(['Tiny spec.rules[].weight', 'Tiny spec.extra', 'Tiny spec.ports']);
    const withoutRuleRow = doc.replace('| `rules[].name` | Rule name. |', '');
    expect(
      checkFieldCoverage({ fields, docs: () => withoutRuleRow, goldens: [], goldenAllowList: {} })
        .undocumented,
    ).toContain('Tiny spec.rules[].name');
  });

  it('documents a shared shape through an alias only when the parent has a row too', () => {
    const Outer = Type.Object({ defaults: Type.Optional(Tiny.properties.pool) });
    const outer = collectFieldPaths('Outer', Outer);
    const alias = { from: parseFieldPath('Outer spec.defaults'), to: parseFieldPath('Tiny spec.pool') };
    const run = (outerDoc: string) =>
      checkFieldCoverage({
        fields: [...fields, ...outer],
        docs: (kind) => (kind === 'Tiny' ? doc : outerDoc),
        docAliases: [alias],
        goldens: [],
        goldenAllowList: {},
      }).undocumented.filter((id) => id.startsWith('Outer'));
    expect(run('| `defaults` | Pool defaults, as Tiny `pool`. |')).toEqual([]);
    expect(run('| `other` | Not the parent. |')).toEqual([
      'Outer spec.defaults.size',
      'Outer spec.defaults.tag',
    ]);
  });

  it('reports fields no golden sets, ignoring other kinds, other versions and erroneous resources', () => {
    const report = checkFieldCoverage({
      fields,
      docs: () => doc,
      goldens: [
        golden([
          tiny('a', { name: 'a', pool: { size: 1 }, rules: [{ name: 'r' }, { weight: 2 }], labels: null }),
          { ...tiny('b', { aliases: 'x' }), apiVersion: 'getambassador.io/v2' },
          { ...tiny('c', { extra: {} }), kind: 'Other' },
        ]),
        golden([tiny('d', { ports: [80], pool: { tag: 't' } })], ['Tiny default/d']),
      ],
      goldenAllowList: {},
    });
    expect(report.untested).toEqual([
      'Tiny spec.pool.tag',
      'Tiny spec.aliases',
      'Tiny spec.labels',
      'Tiny spec.extra',
      'Tiny spec.ports',
    ]);
    expect(report.inGoldens).toBe(4);
  });

  it('fails when an allow-listed field is covered or names no field', () => {
    const report = checkFieldCoverage({
      fields,
      docs: () => doc,
      goldens: [golden([tiny('a', { name: 'a' })])],
      goldenAllowList: { 'Tiny spec.name': 'why', 'Tiny spec.extra': 'why', 'Tiny spec.gone': 'why' },
    });
    expect(report.allowListedButCovered).toEqual(['Tiny spec.name']);
    expect(report.allowListedUnknown).toEqual(['Tiny spec.gone']);
    expect(report.untested).not.toContain('Tiny spec.extra');
  });
});
