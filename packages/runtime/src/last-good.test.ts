import {
  type CompileResult,
  compile,
  contentHash,
  createPipeline,
  definePlugin,
  refOf,
  type StoredResource,
  TypeUrl,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import { LastGoodResources } from './last-good.js';

/**
 * A toy plugin: each Backend becomes a cluster; `port` must be a number, and
 * `needs` must name another Backend present in the same compile.
 */
const backends = createPipeline([
  definePlugin({
    id: 'toy',
    owns: ['example.com/Backend'],
    register(reg) {
      reg.diagnostics({
        BACKEND_PORT_INVALID: { severity: 'error', summary: 'spec.port must be a number' },
        BACKEND_NEEDS_MISSING: { severity: 'error', summary: 'spec.needs names no Backend' },
      });
      reg.pass({
        id: 'toy.lower',
        phase: 'lower',
        run(ctx) {
          const all = ctx.resources('example.com/Backend');
          const names = new Set(all.map((s) => s.resource.metadata.name));
          for (const { resource, origin } of all) {
            const spec = resource.spec as { port?: unknown; needs?: string };
            const ref = refOf(resource, origin);
            if (typeof spec.port !== 'number') {
              ctx.report({
                code: 'BACKEND_PORT_INVALID',
                message: 'set a number',
                resource: ref,
                path: '/spec/port',
              });
              continue;
            }
            if (spec.needs !== undefined && !names.has(spec.needs)) {
              ctx.report({ code: 'BACKEND_NEEDS_MISSING', message: 'no such Backend', resource: ref });
              continue;
            }
            const json = {
              '@type': TypeUrl.Cluster,
              name: resource.metadata.name,
              connectTimeout: `${spec.port}s`,
            };
            ctx.emit({
              typeUrl: TypeUrl.Cluster,
              name: resource.metadata.name,
              resource: json,
              version: contentHash(json),
              provenance: [ref],
            });
          }
        },
      });
    },
  }),
]);

const backend = (name: string, spec: Record<string, unknown>, line = 1): StoredResource => ({
  resource: { apiVersion: 'example.com/v1', kind: 'Backend', metadata: { name, namespace: 'default' }, spec },
  origin: { source: 'test', file: 'b.yaml', line },
});

const compileOnce = (resources: readonly StoredResource[]): CompileResult => compile(resources, backends);
const served = (r: CompileResult) =>
  r.xds[TypeUrl.Cluster].map((c) => `${c.name}:${(c.resource as { connectTimeout: string }).connectTimeout}`);
const codes = (r: CompileResult) => r.diagnostics.map((d) => `${d.resource?.name}:${d.code}`);

describe('LastGoodResources', () => {
  it('serves the last good version of a resource that turned invalid, never one that was never valid', () => {
    let now = new Date('2026-12-06T08:00:00.000Z');
    const memory = new LastGoodResources(() => now);
    expect(
      served(memory.compile([backend('a', { port: 1 }), backend('b', { port: 'x' })], compileOnce)),
    ).toEqual(['a:1s']);
    now = new Date('2026-12-06T08:01:00.000Z');
    const broken = memory.compile([backend('a', { port: 'oops' }), backend('b', { port: 'x' })], compileOnce);
    expect(served(broken)).toEqual(['a:1s']);
    expect(codes(broken)).toEqual([
      'a:RESOURCE_LAST_GOOD',
      'a:BACKEND_PORT_INVALID',
      'b:BACKEND_PORT_INVALID',
    ]);
    expect(broken.diagnostics[0]!.message).toContain('since 2026-12-06T08:01:00.000Z');
    // The invalid version's own error points at the current file line, not the served one.
    expect(
      broken.diagnostics.find((d) => d.code === 'BACKEND_PORT_INVALID' && d.resource?.name === 'a')?.path,
    ).toBe('/spec/port');
  });

  it('does not claim to serve a last good version that is itself refused now', () => {
    const memory = new LastGoodResources(() => new Date('2026-12-06T08:00:00.000Z'));
    memory.compile([backend('a', { port: 1, needs: 'b' }), backend('b', { port: 2 })], compileOnce);
    // 'a' turns invalid and 'b' (which its last good version needs) is deleted: nothing of 'a' can be served.
    const result = memory.compile([backend('a', { port: 'oops', needs: 'b' })], compileOnce);
    expect(served(result)).toEqual([]);
    expect(codes(result)).toEqual(['a:BACKEND_PORT_INVALID']);
  });

  it('forgets a deleted resource: deleted then re-added invalid, it is not served', () => {
    const memory = new LastGoodResources();
    memory.compile([backend('a', { port: 1 })], compileOnce);
    expect(memory.size).toBe(1);
    memory.compile([], compileOnce);
    expect(memory.size).toBe(0);
    const result = memory.compile([backend('a', { port: 'oops' })], compileOnce);
    expect(served(result)).toEqual([]);
    expect(codes(result)).toEqual(['a:BACKEND_PORT_INVALID']);
  });
});
