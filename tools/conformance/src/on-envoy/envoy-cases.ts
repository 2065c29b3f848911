import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareStrings } from '@attache/core';
import { buildEnvoyModel } from '@attache/explain';
import type { ConformanceCase } from '../cases.js';
import { hostsemToBootstrap } from '../hostsem.js';
import type { EnvoyCase } from './run-on-envoy.js';

/**
 * The cases a real Envoy judges: every conformance case with inputs (the
 * oracle cases and Emissary's own input/output pairs; Emissary's expected
 * side only adds probes), then each resource folder of examples/ as a case of its own.
 */
export function envoyCases(cases: readonly ConformanceCase[], examplesDir: string | undefined): EnvoyCase[] {
  const out: EnvoyCase[] = [];
  for (const c of cases) {
    if (c.kind === 'not-applicable') continue;
    const expected = buildEnvoyModel({
      bootstrap: c.kind === 'hostsem' ? hostsemToBootstrap(c.expected) : c.expected,
    });
    out.push({
      id: c.id,
      inputs: c.inputs,
      expected,
      ...(c.kind === 'envoy' && c.harnessSecrets ? { harnessSecrets: true } : {}),
    });
  }
  if (examplesDir && existsSync(examplesDir)) {
    for (const name of readdirSync(examplesDir).sort(compareStrings)) {
      const dir = join(examplesDir, name);
      // A folder with a package.json is a plugin package, not a folder of resources.
      if (!statSync(dir).isDirectory() || existsSync(join(dir, 'package.json'))) continue;
      const inputs = readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort(compareStrings)
        .map((f) => join(dir, f));
      if (inputs.length > 0) out.push({ id: `examples/${name}`, inputs });
    }
  }
  return out;
}
