import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { LogServiceSpec } from './logservice.js';

const testdata = fileURLToPath(new URL('./testdata', import.meta.url));
const page = readFileSync(
  fileURLToPath(new URL('../../../docs/reference/logservice.md', import.meta.url)),
  'utf8',
);

/** Fields no golden can meaningfully set, each with the reason; the test fails when one gains a golden. */
const goldenAllowList: Record<string, string> = {
  v2ExplicitTLS: 'Emissary v2 round-trip data: accepted and ignored, so no output could show it',
};

/** Every leaf field below spec, as 'a.b[].c'. */
function fieldPaths(schema: TSchema, prefix = ''): string[] {
  const s = schema as { properties?: Record<string, TSchema>; items?: TSchema };
  if (s.properties) {
    return Object.entries(s.properties).flatMap(([name, child]) => {
      const path = prefix ? `${prefix}.${name}` : name;
      const below = fieldPaths(child, path);
      return below.length > 0 ? below : [path];
    });
  }
  if (s.items && (s.items as { properties?: unknown }).properties) return fieldPaths(s.items, `${prefix}[]`);
  return [];
}

/** The field names in backticks in the first cell of each table row. */
function documented(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|');
    if (cells.length < 4 || !cells[2]?.trim()) continue;
    for (const m of cells[1]!.matchAll(/`([A-Za-z0-9_.[\]]+)`/g)) out.add(m[1]!);
  }
  return out;
}

function sets(value: unknown, segments: string[]): boolean {
  if (segments.length === 0) return value !== undefined;
  const [head, ...rest] = segments;
  if (head!.endsWith('[]')) {
    const list = (value as Record<string, unknown> | undefined)?.[head!.slice(0, -2)];
    return Array.isArray(list) && list.some((item) => sets(item, rest));
  }
  return sets((value as Record<string, unknown> | undefined)?.[head!], rest);
}

/** v3alpha1 LogService specs of the goldens that got no error diagnostic. */
function goldenSpecs(): unknown[] {
  return readdirSync(testdata)
    .filter((f) => f.endsWith('.in.yaml'))
    .flatMap((file) => {
      const diagnostics = parse(
        readFileSync(join(testdata, file.replace('.in.yaml', '.diagnostics.yaml')), 'utf8'),
      ) as Array<{ severity: string; resource?: string }>;
      const broken = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.resource));
      return parseAllDocuments(readFileSync(join(testdata, file), 'utf8'))
        .map(
          (d) =>
            d.toJS() as {
              apiVersion?: string;
              kind?: string;
              metadata?: { name?: string; namespace?: string };
              spec?: unknown;
            },
        )
        .filter(
          (d) =>
            d?.kind === 'LogService' &&
            d.apiVersion === 'getambassador.io/v3alpha1' &&
            !broken.has(`LogService ${d.metadata?.namespace ?? 'default'}/${d.metadata?.name}`),
        )
        .map((d) => d.spec);
    });
}

describe('every LogService field', () => {
  const fields = fieldPaths(LogServiceSpec);

  it('walks the schema into lists', () => {
    expect(fields).toContain('driver_config.additional_log_headers[].during_trailer');
  });

  it('has a row in docs/reference/logservice.md', () => {
    const names = documented(page);
    expect(fields.filter((f) => !names.has(f))).toEqual([]);
  });

  it('is set by a golden LogService without errors', () => {
    const specs = goldenSpecs();
    const untested = fields.filter(
      (f) => !(f in goldenAllowList) && !specs.some((s) => sets(s, f.split('.'))),
    );
    expect(untested).toEqual([]);
    expect(Object.keys(goldenAllowList).filter((f) => specs.some((s) => sets(s, f.split('.'))))).toEqual([]);
  });

  it('the page’s LogService examples fit the schema', () => {
    const examples = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) =>
      parseAllDocuments(m[1] ?? '')
        .map((d) => d.toJS() as { kind?: string; spec?: unknown })
        .filter((d) => d?.kind === 'LogService'),
    );
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples) expect([...Value.Errors(LogServiceSpec, e.spec)]).toEqual([]);
  });
});
