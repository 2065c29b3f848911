import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic, StoredResource } from '@attache/core';
import { resourcesFromYaml } from './golden.js';
import { type ValuePath, valuePaths, withValue } from './value-paths.js';

/**
 * Hostile input: every hostile value in every field a plugin reads, one at a
 * time, in the golden inputs. The compile must never throw or fail a pass,
 * and Attaché (not only Envoy's validation) must name the resource. The
 * plugin's test says which fields and which values, and asserts the failures
 * are none.
 */

/** Values users really write by mistake, common to every plugin; a plugin adds its own. */
export const commonHostileValues: readonly unknown[] = [
  null,
  '',
  ' ',
  -1,
  0,
  1e12,
  1.5,
  true,
  'x'.repeat(300),
  '*',
  '%',
  '/../',
  'ünïcödé',
  {},
  [],
  [null],
  { '': '' },
  1e308,
  9223372036000,
  'x\r\ninjected: 1',
  '100%',
];

type Json = Record<string, unknown>;

export interface HostileMutation {
  /** File, resource and field, and the value put there. */
  where: string;
  resources: StoredResource[];
}

/** Every path to a value a spec sets, below the spec itself. */
export function specValuePaths(spec: Json | undefined): ValuePath[] {
  return valuePaths(spec ?? {}).filter((p) => p.length > 0);
}

/**
 * One mutation per golden input (`<case>.in.yaml` in `dir`, by name), resource,
 * path `pathsOf` gives for it (none: left alone) and value: the golden's
 * resources with that one spec value replaced.
 */
export function hostileMutations(
  dir: string,
  options: {
    values: readonly unknown[];
    pathsOf: (kind: string, spec: Json | undefined) => ValuePath[];
  },
): HostileMutation[] {
  const out: HostileMutation[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()) {
    const resources = resourcesFromYaml(readFileSync(join(dir, file), 'utf8'), file);
    resources.forEach((stored, index) => {
      const kind = stored.resource.kind;
      const spec = stored.resource.spec as Json | undefined;
      for (const path of options.pathsOf(kind, spec)) {
        for (const value of options.values) {
          const changed = resources.map((s, i) =>
            i === index ? { ...s, resource: { ...s.resource, spec: withValue(spec ?? {}, path, value) } } : s,
          );
          out.push({
            where: `${file} ${kind} ${stored.resource.metadata?.name} ${path.join('.')} = ${JSON.stringify(value)}`,
            resources: changed,
          });
        }
      }
    });
  }
  return out;
}

/**
 * Compiles every mutation and names what went wrong: a throw, a failed pass,
 * a value only Envoy's validation caught, an error that names no resource.
 */
export function hostileFailures(
  mutations: readonly HostileMutation[],
  compileFn: (resources: StoredResource[]) => { diagnostics: readonly Diagnostic[] },
): string[] {
  const failures: string[] = [];
  for (const m of mutations) {
    try {
      for (const d of compileFn(m.resources).diagnostics) {
        if (d.code === 'PASS_FAILED') failures.push(`${m.where}: PASS_FAILED ${d.message}`);
        else if (d.code === 'ENVOY_REJECTED')
          failures.push(`${m.where}: only Envoy's validation caught it (${d.message})`);
        else if (d.severity === 'error' && !d.resource)
          failures.push(`${m.where}: ${d.code} names no resource`);
      }
    } catch (error) {
      failures.push(`${m.where}: threw ${(error as Error).message}`);
    }
  }
  return failures;
}
