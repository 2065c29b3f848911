import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CompileResult, compareStrings, compile, type Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { featureAuthPlugin } from '@attache/plugin-feature-auth';
import { httpPlugin } from '@attache/plugin-http';
import type { ConformanceCase } from './cases.js';
import { readResources } from './compile-attache.js';
import {
  compareFeatureParts,
  extAuthzFilter,
  type FeaturePart,
  sideFromBootstrap,
  sideFromXds,
} from './filter-parts.js';
import { type CaseResult, runCase } from './run-case.js';

/**
 * AuthService conformance (../shared/conformance/features/*-auth-*): compiled
 * with the http and feature-auth plugins, judged on routing like every case,
 * and on the parts the auth feature produces, each counted: the HTTP filter
 * order, the ext_authz filter config, its cluster by behaviour, and the
 * ext_authz per-route config of every route (by virtual host and path).
 */

export type AuthCase = Extract<ConformanceCase, { kind: 'envoy' }>;

export const authPlugins: Plugin[] = [httpPlugin, featureAuthPlugin, envoyPlugin];

export function discoverAuthCases(shared: string): AuthCase[] {
  const root = join(shared, 'conformance', 'features');
  if (!existsSync(root)) return [];
  const out: AuthCase[] = [];
  for (const dir of readdirSync(root).sort(compareStrings)) {
    if (!/-auth-/.test(dir)) continue;
    const input = join(root, dir, 'input.yaml');
    const expected = join(root, dir, 'expected.json');
    if (!existsSync(input) || !existsSync(expected)) continue;
    const c: AuthCase = {
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

/** Differences on purpose (docs/compat.md): case id prefix, part, key prefix → why. */
export const deliberateAuthDifferences: Array<{ case: string; part: string; key: string; reason: string }> =
  [];

export interface AuthCaseResult extends CaseResult {
  parts: Array<FeaturePart & { deliberate?: string }>;
}

export function runAuthCase(
  c: AuthCase,
  compiler: (r: ReturnType<typeof readResources>) => CompileResult = (r) => compile(r, authPlugins),
): AuthCaseResult {
  const routing = runCase(c, compiler);
  const result = compiler(c.inputs.flatMap(readResources));
  const parts = compareFeatureParts(
    sideFromBootstrap(c.expected as Record<string, unknown>),
    sideFromXds(result.xds),
    [extAuthzFilter],
  ).map((p): FeaturePart & { deliberate?: string } => {
    const why = deliberateAuthDifferences.find(
      (d) => c.id.startsWith(d.case) && d.part === p.part && p.key.startsWith(d.key),
    );
    return !p.ok && why ? { ...p, deliberate: why.reason } : p;
  });
  const differing = parts.filter((p) => !p.ok && !p.deliberate);
  const status = routing.status === 'fail' || differing.length > 0 ? 'fail' : routing.status;
  const detail =
    routing.status === 'fail'
      ? routing.detail
      : differing.length > 0
        ? `${differing[0]!.part} ${differing[0]!.key}: ${differing[0]!.detail}`
        : `${parts.length} auth parts match${parts.some((p) => p.deliberate) ? ` (${parts.filter((p) => p.deliberate).length} differ on purpose)` : ''}; ${routing.detail}`;
  return { ...routing, status, detail, parts };
}

/** Per part kind: compared, matching, differing on purpose. */
export function countAuthParts(
  results: readonly AuthCaseResult[],
): Record<string, { compared: number; match: number; deliberate: number }> {
  const out: Record<string, { compared: number; match: number; deliberate: number }> = {};
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

/** The table the runner prints: one line per case, then the counts per part. Returns the failed cases. */
export function printAuthResults(results: readonly AuthCaseResult[], write: (s: string) => void): number {
  const width = Math.max(4, ...results.map((r) => r.id.length));
  write(
    '\nAuthService (features) — filter order, ext_authz config, its cluster, per-route config, routing:\n',
  );
  for (const r of results) write(`${r.id.padEnd(width)}  ${r.status.toUpperCase().padEnd(6)}  ${r.detail}\n`);
  const counts = countAuthParts(results);
  const line = Object.entries(counts)
    .map(
      ([part, c]) =>
        `${part} ${c.match}/${c.compared}${c.deliberate ? ` (+${c.deliberate} on purpose)` : ''}`,
    )
    .join(', ');
  const failed = results.filter((r) => r.status === 'fail').length;
  write(
    `auth feature parts matching Emissary: ${line}; ${results.length - failed}/${results.length} cases pass\n`,
  );
  return failed;
}
