import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CompileResult, type Diagnostic, formatRef, type StoredResource, sortKeys } from '@attache/core';
import { parseAllDocuments, stringify } from 'yaml';

/**
 * Golden tests: `<case>.in.yaml` → `<case>.out.yaml` (+ `<case>.diagnostics.yaml`).
 * Run with UPDATE_GOLDEN=1 to (re)write the expected files, then read the diff.
 */
export interface GoldenCase {
  name: string;
  /** The input documents as the file source would store them. */
  resources: StoredResource[];
}

export interface GoldenOutput {
  out: unknown;
  diagnostics?: unknown;
}

export interface GoldenComparison {
  file: string;
  expected: string | undefined;
  actual: string;
}

/** Multi-document YAML text → stored resources, with file and line origins. */
export function resourcesFromYaml(text: string, file: string): StoredResource[] {
  const out: StoredResource[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range?.[0] ?? 0;
    out.push({ resource: value, origin: { source: 'golden', file, line: lineOf(start) } });
  }
  return out;
}

/** Every `<case>.in.yaml` in a directory, sorted by name. */
export function loadGoldenCases(dir: string): GoldenCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.in.yaml'.length);
      return { name, resources: resourcesFromYaml(readFileSync(join(dir, f), 'utf8'), f) };
    });
}

/** Stable YAML: keys sorted at every level, no anchors, no line folding. */
export function goldenYaml(value: unknown): string {
  return stringify(sortKeys(JSON.parse(JSON.stringify(value ?? null))), {
    aliasDuplicateObjects: false,
    lineWidth: 0,
  });
}

export const updatingGoldens = (): boolean => process.env.UPDATE_GOLDEN === '1';

/**
 * Compiles one case and compares (or, with UPDATE_GOLDEN=1, writes) its
 * golden files. Returns the comparisons for the caller's assertions.
 */
export function runGoldenCase(
  dir: string,
  testCase: GoldenCase,
  compileFn: (resources: StoredResource[], testCase: GoldenCase) => GoldenOutput,
): GoldenComparison[] {
  const result = compileFn(testCase.resources, testCase);
  const files: Array<[string, unknown]> = [[`${testCase.name}.out.yaml`, result.out]];
  const diagFile = `${testCase.name}.diagnostics.yaml`;
  const hasDiagnostics = Array.isArray(result.diagnostics)
    ? result.diagnostics.length > 0
    : result.diagnostics !== undefined;
  if (hasDiagnostics) files.push([diagFile, result.diagnostics]);
  else if (existsSync(join(dir, diagFile))) {
    if (updatingGoldens()) unlinkSync(join(dir, diagFile));
    else files.push([diagFile, []]);
  }
  return files.map(([file, value]) => {
    const path = join(dir, file);
    const actual = goldenYaml(value);
    if (updatingGoldens()) writeFileSync(path, actual);
    const expected = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    return { file, expected, actual };
  });
}

/**
 * Registers one test per case with the given test function (vitest's `it`),
 * asserting each golden file matches.
 */
export function runGoldenDir(
  dir: string,
  compileFn: (resources: StoredResource[], testCase: GoldenCase) => GoldenOutput,
  hooks: {
    test: (name: string, fn: () => void) => void;
    assertEqual: (actual: string, expected: string | undefined, file: string) => void;
  },
): void {
  for (const testCase of loadGoldenCases(dir)) {
    hooks.test(testCase.name, () => {
      for (const c of runGoldenCase(dir, testCase, compileFn))
        hooks.assertEqual(c.actual, c.expected, c.file);
    });
  }
}

/** Diagnostics as goldens show them: code, severity, resource, path and message, in reading order. */
export function goldenDiagnostics(diagnostics: readonly Diagnostic[]) {
  return diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    ...(d.resource ? { resource: formatRef(d.resource) } : {}),
    ...(d.path !== undefined ? { path: d.path } : {}),
    message: d.message,
  }));
}

/** A whole compile as goldens show it: every validated Envoy resource by type (with provenance), and the diagnostics. */
export function goldenXdsView(result: CompileResult) {
  const xds: Record<string, Array<{ name: string; provenance: string[]; resource: unknown }>> = {};
  for (const [typeUrl, list] of Object.entries(result.xds)) {
    if (list.length === 0) continue;
    xds[typeUrl.replace('type.googleapis.com/', '')] = list.map((r) => ({
      name: r.name,
      provenance: r.provenance.map(formatRef),
      resource: r.resource,
    }));
  }
  return { out: xds, diagnostics: goldenDiagnostics(result.diagnostics) };
}

/** The bits of a test framework a golden suite needs (vitest's `it` and `expect` fit). */
export interface GoldenTestApi {
  it: (name: string, fn: () => void) => void;
  expect: (value: unknown, message?: string) => { toBeDefined(): void; toBe(expected: unknown): void };
}

/**
 * One test per case of `dir`: each golden file must exist (else: run with
 * UPDATE_GOLDEN=1 and review it) and match what `view` makes of the case.
 */
export function goldenSuite(
  dir: string,
  view: (resources: StoredResource[], testCase: GoldenCase) => GoldenOutput,
  { it, expect }: GoldenTestApi,
): void {
  runGoldenDir(dir, view, {
    test: it,
    assertEqual: (actual, expected, file) => {
      expect(expected, `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBeDefined();
      expect(actual, file).toBe(expected);
    },
  });
}
