import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import type { IR, IRRoute } from './ir.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';
import { refOf } from './resource.js';

/**
 * A pass that throws leaves nothing behind: not its IR edits (in place or by
 * replacement, on objects shared between virtual hosts), its diagnostics nor
 * its emitted resources; the passes after it see the IR as it was before it.
 */

const routeCount = 30;
const route = (i: number): StoredResource => ({
  resource: {
    apiVersion: 'example.io/v1',
    kind: 'Route',
    metadata: { name: `r${String(i).padStart(2, '0')}`, namespace: 'default' },
    spec: { prefix: `/r${i}/` },
  },
  origin: { source: 'test', file: 'routes.yaml', line: i + 1 },
});
const inputs = Array.from({ length: routeCount }, (_, i) => route(i));

/** Builds one route table whose routes are shared by two virtual hosts, as the http plugin does. */
const routes = definePlugin({
  id: 'routes',
  owns: ['example.io/Route'],
  register(reg) {
    reg.diagnostics({ ROUTE_SEEN: { severity: 'info', summary: 'a later pass counted edited routes' } });
    reg.pass({
      id: 'routes.build',
      phase: 'build',
      writes: ['ir.routeConfigs'],
      run(ctx) {
        const list: IRRoute[] = ctx.resources('example.io/Route').map(({ resource, origin }) => ({
          name: resource.metadata.name,
          match: { path: { kind: 'prefix', value: (resource.spec as { prefix: string }).prefix } },
          action: { kind: 'forward', clusters: [{ cluster: 'backend', weight: 100 }] },
          provenance: [refOf(resource, origin)],
        }));
        ctx.ir.routeConfigs.main = {
          name: 'main',
          provenance: [],
          virtualHosts: [
            { name: 'a', domains: ['a.example.com'], routes: list, provenance: [] },
            { name: 'b', domains: ['b.example.com'], routes: list, provenance: [] },
          ],
        };
      },
    });
    reg.pass({
      id: 'routes.count-edits',
      phase: 'finalize',
      reads: ['ir.routeConfigs'],
      run(ctx) {
        ctx.report({
          code: 'ROUTE_SEEN',
          message: `${editedRoutes(ctx.ir)} edited routes, ${Object.keys(ctx.ir.clusters).length} clusters`,
        });
      },
    });
  },
});

/** The buggy plugin of the issue: edits 21 routes (some in place, some replaced), adds a cluster, reports, throws. */
const editor = definePlugin({
  id: 'editor',
  register(reg) {
    reg.diagnostics({ EDITOR_NOTE: { severity: 'warning', summary: 'a note the editor reports' } });
    reg.pass({
      id: 'editor.timeouts',
      phase: 'attach',
      reads: ['ir.routeConfigs'],
      writes: ['ir.routeConfigs', 'ir.clusters'],
      run(ctx) {
        const vhost = ctx.ir.routeConfigs.main!.virtualHosts[0]!;
        for (let i = 0; i < 21; i++) {
          const r = vhost.routes[i]!;
          if (i % 2 === 0 && r.action.kind === 'forward') r.action.timeoutMs = 1234;
          else vhost.routes[i] = { ...r, metadata: { edited: { by: 'editor' } } };
        }
        ctx.ir.clusters.extra = { name: 'extra', discovery: 'STATIC', provenance: [] };
        ctx.report({ code: 'EDITOR_NOTE', message: 'half-way' });
        throw new Error('route 22 is not what I expected');
      },
    });
  },
});

function editedRoutes(ir: IR): number {
  let edited = 0;
  for (const config of Object.values(ir.routeConfigs)) {
    for (const vhost of config.virtualHosts) {
      for (const r of vhost.routes) {
        if ((r.action.kind === 'forward' && r.action.timeoutMs !== undefined) || r.metadata) edited++;
      }
    }
  }
  return edited;
}

describe('a pass that throws', () => {
  it('leaves 0 of its 21 route edits, nor its cluster or diagnostics; later passes see the IR from before it', () => {
    const clean = compile(inputs, [routes]);
    const result = compile(inputs, [routes, editor]);
    expect(editedRoutes(result.ir)).toBe(0);
    expect(result.ir).toEqual(clean.ir);
    expect(result.ir.clusters).toEqual({});
    expect(result.diagnostics.map((d) => [d.code, d.message.split(';')[0]])).toEqual([
      ['PASS_FAILED', 'pass editor.timeouts threw: route 22 is not what I expected'],
      ['ROUTE_SEEN', '0 edited routes, 0 clusters'],
    ]);
    // The routes shared between the virtual hosts are still one list, as the build pass made them.
    const [a, b] = result.ir.routeConfigs.main!.virtualHosts;
    expect(a!.routes).toBe(b!.routes);
  });

  it('costs one rerun of the passes before it per failing pass, and drops each failing pass', () => {
    let builds = 0;
    const counting = definePlugin({
      id: 'counting',
      register(reg) {
        reg.pass({
          id: 'counting.ingest',
          phase: 'ingest',
          run() {
            builds++;
          },
        });
      },
    });
    const second = definePlugin({
      id: 'second',
      register(reg) {
        reg.pass({
          id: 'second.finalize',
          phase: 'finalize',
          writes: ['ir.clusters'],
          run(ctx) {
            ctx.ir.clusters.half = { name: 'half', discovery: 'STATIC', provenance: [] };
            throw new Error('also broken');
          },
        });
      },
    });
    const result = compile(inputs, [routes, editor, second, counting]);
    // One first run, one rebuild per failing pass.
    expect(builds).toBe(3);
    expect(result.ir.clusters).toEqual({});
    expect(result.diagnostics.filter((d) => d.code === 'PASS_FAILED').map((d) => d.origin.pass)).toEqual([
      'editor.timeouts',
      'second.finalize',
    ]);
    expect(result.diagnostics.filter((d) => d.code === 'ROUTE_SEEN')).toHaveLength(1);
  });
});
