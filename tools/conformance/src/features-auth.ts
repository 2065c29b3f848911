import { type CompileResult, compile, type Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { featureAuthPlugin } from '@attache/plugin-feature-auth';
import { httpPlugin } from '@attache/plugin-http';
import { readResources } from './compile-attache.js';
import {
  countFeatureParts,
  type DeliberatePartDifference,
  discoverFeatureCases,
  type FeatureCase,
  type FeaturePartsResult,
  judgeParts,
  printFeatureParts,
  withDeliberate,
} from './feature-cases.js';
import { compareFeatureParts, extAuthzFilter, sideFromBootstrap, sideFromXds } from './filter-parts.js';
import { runCase } from './run-case.js';

/**
 * AuthService conformance (../shared/conformance/features/*-auth-*): compiled
 * with the http and feature-auth plugins, judged on routing like every case,
 * and on the parts the auth feature produces, each counted: the HTTP filter
 * order, the ext_authz filter config, its cluster by behaviour, and the
 * ext_authz per-route config of every route (by virtual host and path).
 */

export type AuthCase = FeatureCase;

export const authPlugins: Plugin[] = [httpPlugin, featureAuthPlugin, envoyPlugin];

export function discoverAuthCases(shared: string): AuthCase[] {
  return discoverFeatureCases(shared, (dir) => /-auth-/.test(dir));
}

/** Differences on purpose (docs/compat.md): case id prefix, part, key prefix → why. */
export const deliberateAuthDifferences: DeliberatePartDifference[] = [];

export type AuthCaseResult = FeaturePartsResult;

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
  );
  return judgeParts(routing, withDeliberate(c.id, parts, deliberateAuthDifferences), 'auth parts');
}

/** Per part kind: compared, matching, differing on purpose. */
export const countAuthParts = countFeatureParts;

/** The table the runner prints: one line per case, then the counts per part. Returns the failed cases. */
export function printAuthResults(results: readonly AuthCaseResult[], write: (s: string) => void): number {
  return printFeatureParts(results, write, {
    heading:
      'AuthService (features) — filter order, ext_authz config, its cluster, per-route config, routing',
    name: 'auth',
  });
}
