import { fileURLToPath } from 'node:url';
import type { Diagnostic, StoredResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { hostileFailures, hostileMutations, specValuePaths } from './hostile-input.js';

const dir = fileURLToPath(new URL('./testdata/hostile-input', import.meta.url));
const widgets = (kind: string, spec: Record<string, unknown> | undefined) =>
  kind === 'Widget' ? specValuePaths(spec) : [];

const diagnostic = (d: Partial<Diagnostic>): Diagnostic => ({
  code: 'X',
  severity: 'error',
  message: 'm',
  origin: { plugin: 'p' },
  ...d,
});

describe('hostile input', () => {
  it('mutates each path the plugin names with each value, one at a time', () => {
    const mutations = hostileMutations(dir, { values: [null, -1], pathsOf: widgets });
    // Widget paths: size, parts, parts.0, parts.1 — times two values.
    expect(mutations).toHaveLength(8);
    expect(mutations[0]!.where).toBe('a.in.yaml Widget w size = null');
    const changed = mutations.find((m) => m.where.endsWith('parts.1 = -1'))!;
    expect(changed.resources[0]!.resource.spec).toEqual({ size: 3, parts: ['a', -1] });
    expect(changed.resources[1]!.resource.spec).toEqual({ size: 1 });
  });

  it('reports throws, failed passes, Envoy-only rejections and errors without a resource', () => {
    const mutations = hostileMutations(dir, { values: [0], pathsOf: widgets }).slice(0, 1);
    const failWith = (fn: (r: StoredResource[]) => { diagnostics: Diagnostic[] }) =>
      hostileFailures(mutations, fn);
    expect(failWith(() => ({ diagnostics: [] }))).toEqual([]);
    const resource = { apiVersion: 'getambassador.io/v3alpha1', kind: 'Widget', name: 'w' };
    expect(failWith(() => ({ diagnostics: [diagnostic({ resource })] }))).toEqual([]);
    expect(failWith(() => ({ diagnostics: [diagnostic({ severity: 'warning' })] }))).toEqual([]);
    expect(failWith(() => ({ diagnostics: [diagnostic({})] }))).toEqual([
      'a.in.yaml Widget w size = 0: X names no resource',
    ]);
    expect(failWith(() => ({ diagnostics: [diagnostic({ code: 'PASS_FAILED', resource })] }))).toHaveLength(
      1,
    );
    expect(
      failWith(() => ({ diagnostics: [diagnostic({ code: 'ENVOY_REJECTED', resource })] })),
    ).toHaveLength(1);
    expect(
      failWith(() => {
        throw new Error('boom');
      }),
    ).toEqual(['a.in.yaml Widget w size = 0: threw boom']);
  });
});
