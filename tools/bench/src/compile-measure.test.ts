import { canonicalJson, compile, definePlugin, refOf, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { generateCompileInputs } from './compile-inputs.js';
import { describeOutput, measureCompile, median } from './compile-measure.js';

/**
 * A stand-in plugin set with a known output, to check the harness counts what
 * it claims to count: one RouteConfiguration with one virtual host per Host
 * and one route per Mapping bound to it, plus one warning per canary.
 */
const countingPlugin = definePlugin({
  id: 'counting',
  owns: [
    'getambassador.io/Mapping',
    'getambassador.io/Host',
    'getambassador.io/Listener',
    'getambassador.io/TLSContext',
  ],
  consumes: ['Secret'],
  register(reg) {
    reg.diagnostics({ COUNTING_CANARY: { severity: 'warning', summary: 'A canary Mapping.' } });
    reg.pass({
      id: 'counting.lower',
      phase: 'lower',
      run(ctx) {
        const hosts = ctx.resources('getambassador.io/Host');
        const mappings = ctx.resources('getambassador.io/Mapping');
        const virtualHosts = hosts.map((h) => {
          const hostname = (h.resource.spec as { hostname: string }).hostname;
          return {
            name: h.resource.metadata.name,
            domains: [hostname],
            routes: mappings
              .filter((m) => (m.resource.spec as { hostname: string }).hostname === hostname)
              .map((m) => ({ name: m.resource.metadata.name })),
          };
        });
        for (const m of mappings) {
          if ((m.resource.spec as { weight?: number }).weight !== undefined) {
            ctx.report({ code: 'COUNTING_CANARY', message: 'canary', resource: refOf(m.resource) });
          }
        }
        const resource = { '@type': TypeUrl.RouteConfiguration, name: 'all', virtualHosts };
        ctx.emit({
          typeUrl: TypeUrl.RouteConfiguration,
          name: 'all',
          resource,
          version: 'v',
          provenance: [],
        });
      },
    });
  },
});

describe('compile measurement', () => {
  it('counts Envoy resources, virtual hosts, routes, output bytes and diagnostics', () => {
    const { resources } = generateCompileInputs({ hosts: 3, mappings: 60 });
    const result = compile(resources, [countingPlugin]);
    const stats = describeOutput(result);
    expect(stats.envoyResources).toEqual({
      Listener: 0,
      RouteConfiguration: 1,
      Cluster: 0,
      ClusterLoadAssignment: 0,
      Secret: 0,
    });
    expect(stats.envoyResourceTotal).toBe(1);
    expect(stats.virtualHosts).toBe(3);
    // m50 has hostname '*', which this stand-in routes nowhere; every other Mapping lands on one Host.
    expect(stats.routes).toBe(59);
    expect(stats.outputBytes).toBe(Buffer.byteLength(canonicalJson(result.xds)));
    expect(stats.diagnostics).toEqual({ error: 0, warning: 3, info: 0, byCode: { COUNTING_CANARY: 3 } });
  });

  it('times the warm-up and the runs separately and reports every pass', () => {
    const m = measureCompile(
      { name: '3x60', hosts: 3, mappings: 60, description: 'tiny' },
      [countingPlugin],
      3,
    );
    expect(m.runs).toBe(3);
    expect(m.inputs.total).toBe(2 + 3 * 2 + 1 + 60);
    expect(m.minMs).toBeLessThanOrEqual(m.medianMs);
    expect(m.medianMs).toBeLessThanOrEqual(m.maxMs);
    expect(m.maxRssBytes).toBeGreaterThanOrEqual(m.maxRssAfterFirstBytes);
    expect(m.medianCpuMs).toBeGreaterThanOrEqual(0);
    expect(m.firstRunCpuMs).toBeGreaterThanOrEqual(0);
    expect(m.memory.slice(0, 4).map((s) => s.at)).toEqual([
      'start',
      'inputs generated',
      'after first compile',
      'after 3 more compiles',
    ]);
    expect(m.passes.map((p) => p.id)).toEqual(['counting.lower']);
    expect(m.routes).toBe(59);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([1, 2, 9])).toBe(2);
    expect(median([1, 2, 4, 9])).toBe(3);
    expect(median([])).toBeNaN();
  });
});
