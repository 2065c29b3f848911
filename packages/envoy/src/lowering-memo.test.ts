import {
  compile,
  createIncrementalCompiler,
  definePlugin,
  type IR,
  type IRRoute,
  PassMemoStore,
  type StoredResource,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import { envoyPlugin, loweringReads } from './envoy-plugin.js';
import { keptDanglingLists, keptSorted, loweringMemo } from './lowering-memo.js';
import { readIR } from './testing/golden.js';

/**
 * envoy.lower under an incremental compiler: a test plugin installs a given IR
 * as it is (object identity kept, as the http plugin keeps unchanged routes),
 * and every compile's result is compared with a plain compile of the same IR.
 */
function installing(current: () => IR) {
  return definePlugin({
    id: 'test-ir',
    register(reg) {
      reg.pass({
        id: 'test-ir.install',
        phase: 'build',
        writes: loweringReads,
        run(ctx) {
          // Shallow: the route configs, lists and routes are the IR's own objects.
          Object.assign(ctx.ir, { ...current() });
        },
      });
    },
  });
}

/** A new input object each compile, so the incremental compiler does not return the last result as is. */
function freshInputs(): StoredResource[] {
  return [
    {
      resource: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      origin: { source: 'test' },
    },
  ];
}

function routeConfig(result: { xds: Record<string, XdsResource[]> }, name: string): XdsResource {
  const found = result.xds[TypeUrl.RouteConfiguration]?.find((r) => r.name === name);
  if (!found) throw new Error(`no RouteConfiguration ${name}`);
  return found;
}

function routesOf(resource: XdsResource): unknown[] {
  const vhs = (resource.resource as { virtual_hosts: Array<{ routes: unknown[] }> }).virtual_hosts;
  return vhs.flatMap((vh) => vh.routes);
}

describe('envoy.lower with ctx.memo', () => {
  it('reuses unchanged routes and route configurations, and gives what a full compile gives', () => {
    const base = readIR('full-ir.in.yaml');
    let ir = base;
    const plugins = [installing(() => ir), envoyPlugin];
    const incremental = createIncrementalCompiler(plugins);
    const first = incremental.compile(freshInputs());

    // Same IR objects, new compile: route JSON and the whole RouteConfiguration are the earlier objects.
    const again = incremental.compile(freshInputs());
    expect(again).not.toBe(first);
    for (const name of Object.keys(base.routeConfigs)) {
      expect(routeConfig(again, name).resource).toBe(routeConfig(first, name).resource);
    }

    // One route of one configuration changes (a new object): that configuration is lowered again,
    // its other routes keep their JSON objects, and the other configuration stays as it was.
    const [changedName, keptName] = Object.keys(base.routeConfigs) as [string, string];
    const changedConfig = base.routeConfigs[changedName]!;
    const vh = changedConfig.virtualHosts[0]!;
    const edited: IRRoute = { ...vh.routes[0]!, name: `${vh.routes[0]!.name}-edited` };
    ir = {
      ...base,
      routeConfigs: {
        ...base.routeConfigs,
        [changedName]: {
          ...changedConfig,
          virtualHosts: [
            { ...vh, routes: [edited, ...vh.routes.slice(1)] },
            ...changedConfig.virtualHosts.slice(1),
          ],
        },
      },
    };
    const edit = incremental.compile(freshInputs());
    expect(routeConfig(edit, keptName).resource).toBe(routeConfig(again, keptName).resource);
    expect(routeConfig(edit, changedName).resource).not.toBe(routeConfig(again, changedName).resource);
    expect(routeConfig(edit, changedName).version).not.toBe(routeConfig(again, changedName).version);
    const before = routesOf(routeConfig(again, changedName));
    const after = routesOf(routeConfig(edit, changedName));
    expect(after.filter((route) => before.includes(route))).toHaveLength(before.length - 1);

    // Byte for byte what a full compile of the same IR (and the same inputs) gives.
    const same = freshInputs();
    const mine = incremental.compile(same);
    const fresh = compile(same, plugins);
    expect(JSON.stringify({ xds: mine.xds, diagnostics: mine.diagnostics })).toBe(
      JSON.stringify({ xds: fresh.xds, diagnostics: fresh.diagnostics }),
    );
  });
});

describe('keptDanglingLists', () => {
  const route = (name: string, cluster: string): IRRoute => ({
    name,
    match: { path: { kind: 'prefix', value: `/${name}/` } },
    action: { kind: 'forward', clusters: [{ cluster, weight: 100 }] },
    provenance: [],
  });
  const list = [route('a', 'c1'), route('b', 'c2')];
  const finding = [{ refs: [], message: 'c2 missing' }];

  it('keeps a list finding while each cluster it names is emitted as it was', () => {
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    keptDanglingLists(memo, new Set(['c1']), new Set()).set(list, finding);
    // Another cluster came: the list names neither it nor a changed one.
    expect(keptDanglingLists(memo, new Set(['c1', 'c9']), new Set()).get(list)).toBe(finding);
    // c2 is emitted now: the finding is stale.
    expect(keptDanglingLists(memo, new Set(['c1', 'c2']), new Set()).get(list)).toBeUndefined();
    // c1 went away: stale too.
    expect(keptDanglingLists(memo, new Set([]), new Set()).get(list)).toBeUndefined();
    // Refused clusters changed: everything is forgotten.
    expect(keptDanglingLists(memo, new Set(['c1']), new Set(['c7'])).get(list)).toBeUndefined();
  });
});

describe('keptSorted', () => {
  const byName = <T extends { name: string }>(values: T[]) =>
    values.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  it('gives the sort of every compile: the same objects, objects edited in place, names added and gone', () => {
    const memo = loweringMemo(new PassMemoStore(() => {}), '');
    let values = ['m', 'c', 'x', 'a', 'q'].map((name) => ({ name, v: 0 }));
    const first = keptSorted(memo, 'slot', values, byName);
    expect(first.map((x) => x.name)).toEqual(['a', 'c', 'm', 'q', 'x']);
    // The same objects: the same array.
    expect(keptSorted(memo, 'slot', values.slice(), byName)).toBe(first);
    // Two objects replaced under the same names (a cluster's provenance changed): this compile's objects.
    values = values.map((x) => (x.name === 'c' || x.name === 'x' ? { name: x.name, v: 1 } : x));
    const edited = keptSorted(memo, 'slot', values, byName);
    expect(edited).toEqual(byName(values.slice()));
    for (const x of edited) expect(values).toContain(x);
    // A name replaced by another at the same position, one added: sorted again.
    values = [...values.map((x) => (x.name === 'm' ? { name: 'b', v: 2 } : x)), { name: 'z', v: 3 }];
    expect(keptSorted(memo, 'slot', values, byName)).toEqual(byName(values.slice()));
    values = values.map((x) => (x.name === 'a' ? { name: 'y', v: 4 } : x));
    expect(keptSorted(memo, 'slot', values, byName)).toEqual(byName(values.slice()));
  });
});
