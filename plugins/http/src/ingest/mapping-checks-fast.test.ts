import { compile, type PassContext, type Resource, type StoredResource, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { serviceError } from '../service.js';
import { checkMappingFields, reportRedirectFields } from './mapping-checks.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });

/** A PassContext that only collects what is reported (all checkMappingFields uses). */
function collecting(): { ctx: PassContext; reported: string[] } {
  const reported: string[] = [];
  const ctx = {
    report: (d: { code: string; path?: string; message: string }) =>
      reported.push(`${d.code} ${d.path} ${d.message}`),
  } as unknown as PassContext;
  return { ctx, reported };
}

const ref = { apiVersion: 'getambassador.io/v3alpha1', kind: 'Mapping', name: 'm', namespace: 'default' };

describe('checkMappingFields', () => {
  it('reports for redirect and rewrite fields what reportRedirectFields does, for random specs', () => {
    const random = seededRandom(17);
    const next = (n: number) => Math.floor(random() * n);
    const choices: Record<string, unknown[]> = {
      host_redirect: [true, false],
      path_redirect: ['/p'],
      prefix_redirect: ['/x/'],
      regex_redirect: [{ pattern: 'a', substitution: 'b' }],
      redirect_response_code: [301, 308],
      host_rewrite: ['h.example'],
      auto_host_rewrite: [true, false],
      rewrite: ['/', ''],
      regex_rewrite: [{ pattern: 'a', substitution: 'b' }],
    };
    let reporting = 0;
    for (let round = 0; round < 3000; round++) {
      const spec: Record<string, unknown> = { prefix: '/a/', service: 's' };
      for (const [field, values] of Object.entries(choices))
        if (next(4) === 0) spec[field] = values[next(values.length)];
      const checked = collecting();
      checkMappingFields(checked.ctx, ref, spec as MappingSpec, undefined);
      // The plain computation: the redirect checks called for every spec.
      const plain = collecting();
      reportRedirectFields(plain.ctx, ref, spec as MappingSpec);
      expect(checked.reported, JSON.stringify(spec)).toEqual(plain.reported);
      if (plain.reported.length > 0) reporting++;
    }
    // Not vacuous: many specs are reported on, many are not.
    expect(reporting).toBeGreaterThan(500);
    expect(reporting).toBeLessThan(2500);
  });

  it('reports a prefix too long exactly when its UTF-8 bytes exceed the limit, for random prefixes', () => {
    const random = seededRandom(17);
    const next = (n: number) => Math.floor(random() * n);
    const pieces = ['a', 'é', '☃', '😀'];
    let tooLong = 0;
    for (let round = 0; round < 200; round++) {
      const kb = 1 + next(3);
      // Around the limit: from a third of it (in UTF-16 units) to past it.
      const units = Math.floor((kb * 1024 * (1 + next(9))) / 9);
      let prefix = '/';
      while (prefix.length < units) prefix += pieces[next(pieces.length)];
      const { ctx, reported } = collecting();
      const module = { config: { max_request_headers_kb: kb } } as unknown as Parameters<
        typeof checkMappingFields
      >[3];
      const problems = checkMappingFields(ctx, ref, { prefix, service: 's' } as MappingSpec, module);
      const bytes = Buffer.byteLength(prefix, 'utf8');
      expect(problems.map((p) => p.code)).toEqual(bytes > kb * 1024 ? ['MAPPING_PREFIX_TOO_LONG'] : []);
      if (bytes > kb * 1024) {
        tooLong++;
        expect(problems[0]!.message).toContain(`spec.prefix is ${bytes} bytes`);
      }
      expect(reported).toEqual([]);
    }
    expect(tooLong).toBeGreaterThan(20);
    expect(tooLong).toBeLessThan(180);
  });
});

describe('ingest-mappings: spec.service', () => {
  it('reports for every Mapping what serviceError says of its service', () => {
    const random = seededRandom(17);
    const next = (n: number) => Math.floor(random() * n);
    const pieces = ['svc', '.ns', ':80', ':0', ':99999', ':', 'http://', '[::1]', ' ', '/x', '-', '@'];
    const resources: StoredResource[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 600; i++) {
      const name = `m${String(i).padStart(3, '0')}`;
      let service = '';
      for (let k = 1 + next(3); k > 0; k--) service += pieces[next(pieces.length)];
      const spec: Record<string, unknown> = { prefix: `/${name}/`, service, hostname: '*' };
      if (next(5) === 0) spec.host_redirect = true;
      // The plain computation, per Mapping.
      const error = spec.host_redirect ? undefined : serviceError(service);
      if (error) expected.push(`${name} spec.service: ${error}`);
      resources.push(
        stored({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Mapping',
          metadata: { name, namespace: 'default' },
          spec,
        }),
      );
    }
    const result = compile(resources, [httpPlugin]);
    const found = result.diagnostics
      .filter((d) => d.code === 'MAPPING_SERVICE_INVALID')
      .map((d) => `${d.resource?.name} ${d.message}`);
    expect(found.sort()).toEqual(expected.sort());
    // Not vacuous: both verdicts are met often.
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(450);
  });
});
