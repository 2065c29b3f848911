import { compile, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { generateCompileInputs } from './compile-inputs.js';
import { compilePlugins } from './compile-plugins.js';

describe('generated inputs with the real plugins', () => {
  it('compile with no diagnostics, and every Mapping reaches a RouteConfiguration', () => {
    // Small, but covers every variation: the moduli repeat within a few hundred Mappings.
    const { resources, counts } = generateCompileInputs({ hosts: 4, mappings: 400 });
    const result = compile(resources, compilePlugins);
    expect(result.diagnostics).toEqual([]);
    const routed = new Set(
      result.xds[TypeUrl.RouteConfiguration].flatMap((rc) =>
        rc.provenance.filter((ref) => ref.kind === 'Mapping').map((ref) => `${ref.namespace}/${ref.name}`),
      ),
    );
    expect(routed.size).toBe(counts.mappings);
    expect(result.xds[TypeUrl.Secret]).toHaveLength(4);
    expect(result.xds[TypeUrl.Listener].map((l) => l.name)).toHaveLength(2);
  });
});
