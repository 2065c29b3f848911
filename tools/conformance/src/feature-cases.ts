import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareStrings } from '@attache/core';
import type { ConformanceCase } from './cases.js';
import type { FeaturePart } from './filter-parts.js';
import type { CaseResult } from './run-case.js';

/**
 * The skeleton every feature comparison shares (auth, ratelimit, gRPC, TCP,
 * logging and tracing, resolvers): finding its cases under
 * ../shared/conformance/features, and judging and printing them. Each feature
 * keeps what is its own: which cases, which parts, how a part is compared.
 */

/** A features case: input.yaml compiled, compared with Emissary's expected.json (and errors.json). */
export type FeatureCase = Extract<ConformanceCase, { kind: 'envoy' }>;

/** The features cases whose directory name `matches`, by name. */
export function discoverFeatureCases(shared: string, matches: (dir: string) => boolean): FeatureCase[] {
  const root = join(shared, 'conformance', 'features');
  if (!existsSync(root)) return [];
  const out: FeatureCase[] = [];
  for (const dir of readdirSync(root).sort(compareStrings)) {
    if (!matches(dir)) continue;
    const input = join(root, dir, 'input.yaml');
    const expected = join(root, dir, 'expected.json');
    if (!existsSync(input) || !existsSync(expected)) continue;
    const c: FeatureCase = {
      id: `features/${dir}`,
      kind: 'envoy',
      inputs: [input],
      expected: JSON.parse(readFileSync(expected, 'utf8')),
      clustersUndefined: false,
    };
    const errors = join(root, dir, 'errors.json');
    if (existsSync(errors)) c.errorsFile = errors;
    out.push(c);
  }
  return out;
}

// ---- Checks: one line per part of a case (ratelimit, TCP, logging and tracing).

export interface FeatureCheck<Part extends string = string> {
  part: Part | 'routing';
  ok: boolean;
  detail: string;
}

export interface FeatureCheckResult<Part extends string = string> {
  id: string;
  checks: FeatureCheck<Part>[];
}

/** Equal as JSON (the views compared are built in a fixed key order). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value for a check's detail, cut to `max` characters. */
export function showJson(value: unknown, max = 400): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * The routing check: the probes, as for every case. (The general summary
 * compares filter configs verbatim, so it would only repeat what the parts
 * compare by behaviour.)
 */
export function routingCheck(routing: CaseResult): FeatureCheck<never> {
  return routing.probes === undefined
    ? { part: 'routing', ok: false, detail: routing.detail }
    : {
        part: 'routing',
        ok: routing.differingProbes === 0,
        detail: `${routing.probes - (routing.differingProbes ?? 0)}/${routing.probes} probes agree`,
      };
}

/** Prints one line per check and a count; returns the number of failed checks. */
export function printFeatureChecks(
  results: readonly FeatureCheckResult[],
  write: (s: string) => void,
  table: { heading: string; name: string; partWidth: number },
): number {
  const width = Math.max(4, ...results.map((r) => r.id.length));
  write(`\n${table.heading}:\n`);
  let failed = 0;
  let total = 0;
  for (const r of results) {
    for (const check of r.checks) {
      total++;
      if (!check.ok) failed++;
      write(
        `${r.id.padEnd(width)}  ${check.part.padEnd(table.partWidth)}  ${check.ok ? 'PASS' : 'FAIL'}  ${check.detail}\n`,
      );
    }
  }
  write(
    `${table.name} feature checks: ${total - failed} passed, ${failed} failed (${results.length} cases)\n`,
  );
  return failed;
}

// ---- Parts: one line per case, counted per part (auth, gRPC, resolvers).

export type JudgedPart = FeaturePart & { deliberate?: string };

/** A difference on purpose: case id prefix, part, key prefix → why. */
export interface DeliberatePartDifference {
  case: string;
  part: string;
  key: string;
  reason: string;
}

export interface FeaturePartsResult extends CaseResult {
  parts: JudgedPart[];
}

/** Marks the differing parts that differ on purpose, with the reason. */
export function withDeliberate(
  caseId: string,
  parts: readonly FeaturePart[],
  deliberate: readonly DeliberatePartDifference[],
): JudgedPart[] {
  return parts.map((p): JudgedPart => {
    const why = deliberate.find(
      (d) => caseId.startsWith(d.case) && d.part === p.part && p.key.startsWith(d.key),
    );
    return !p.ok && why ? { ...p, deliberate: why.reason } : p;
  });
}

/** A case fails on routing or on a part that differs not on purpose; `label` names its parts in the detail. */
export function judgeParts(routing: CaseResult, parts: JudgedPart[], label: string): FeaturePartsResult {
  const differing = parts.filter((p) => !p.ok && !p.deliberate);
  const status = routing.status === 'fail' || differing.length > 0 ? 'fail' : routing.status;
  const onPurpose = parts.filter((p) => p.deliberate).length;
  const detail =
    routing.status === 'fail'
      ? routing.detail
      : differing.length > 0
        ? `${differing[0]!.part} ${differing[0]!.key}: ${differing[0]!.detail}`
        : `${parts.length} ${label} match${onPurpose > 0 ? ` (${onPurpose} differ on purpose)` : ''}; ${routing.detail}`;
  return { ...routing, status, detail, parts };
}

export type PartCounts = Record<string, { compared: number; match: number; deliberate: number }>;

/** Per part kind: compared, matching, differing on purpose. */
export function countFeatureParts(results: readonly { parts: readonly JudgedPart[] }[]): PartCounts {
  const out: PartCounts = {};
  for (const r of results) {
    for (const p of r.parts) {
      out[p.part] ??= { compared: 0, match: 0, deliberate: 0 };
      const c = out[p.part]!;
      c.compared++;
      if (p.ok) c.match++;
      else if (p.deliberate) c.deliberate++;
    }
  }
  return out;
}

/** The table: one line per case, then the counts per part. Returns the failed cases. */
export function printFeatureParts(
  results: readonly FeaturePartsResult[],
  write: (s: string) => void,
  table: {
    heading: string;
    name: string /** Part kinds counted even when no case has one. */;
    always?: string[];
  },
): number {
  const width = Math.max(4, ...results.map((r) => r.id.length));
  write(`\n${table.heading}:\n`);
  for (const r of results) write(`${r.id.padEnd(width)}  ${r.status.toUpperCase().padEnd(6)}  ${r.detail}\n`);
  const counts: PartCounts = {};
  for (const part of table.always ?? []) counts[part] = { compared: 0, match: 0, deliberate: 0 };
  const line = Object.entries({ ...counts, ...countFeatureParts(results) })
    .map(
      ([part, c]) =>
        `${part} ${c.match}/${c.compared}${c.deliberate ? ` (+${c.deliberate} on purpose)` : ''}`,
    )
    .join(', ');
  const failed = results.filter((r) => r.status === 'fail').length;
  write(
    `${table.name} feature parts matching Emissary: ${line}; ${results.length - failed}/${results.length} cases pass\n`,
  );
  return failed;
}
