import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, createPipeline, type Plugin, TypeUrl } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { readResourcesFromPaths } from '@attache/plugin-source-file';
import { loadConfigFile, resolvePlugins } from '@attache/runtime';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const quickstart = join(here, '../../quickstart');
const distribution = [httpPlugin, envoyPlugin] as Plugin[];

/** Every response header any route of the compiled quickstart adds, by route name. */
function responseHeaders(xds: ReturnType<typeof compile>['xds']): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rc of xds[TypeUrl.RouteConfiguration]) {
    const vhosts = (rc.resource.virtual_hosts ?? []) as Array<{ routes?: Array<Record<string, unknown>> }>;
    for (const route of vhosts.flatMap((v) => v.routes ?? [])) {
      if (!route.route) continue; // redirects are not decorated
      const headers = (route.response_headers_to_add ?? []) as Array<{
        header: { key: string; value: string };
      }>;
      out.set(
        `${rc.name} ${String(route.name)}`,
        headers.map((h) => `${h.header.key}=${h.header.value}`),
      );
    }
  }
  return out;
}

async function pluginsFromExampleConfig() {
  const loaded = loadConfigFile(join(here, '../attache.yaml'));
  // Tests load the plugin's TypeScript source; the CLI loads its built dist/ through the same package exports.
  return resolvePlugins(loaded.config, {
    baseDir: loaded.baseDir,
    distribution,
    conditions: ['source', 'default'],
  });
}

describe('the example plugin', () => {
  it('loads from examples/plugin-example/attache.yaml by path, with its config validated', async () => {
    const uses = await pluginsFromExampleConfig();
    const pipeline = createPipeline(uses);
    expect(pipeline.plugins.map((p) => p.id)).toEqual(['http', 'envoy', 'example']);
    expect(pipeline.plugins.at(-1)!.config).toEqual({ header: 'x-attache-example', value: 'quickstart' });
    expect(pipeline.passes.find((p) => p.id === 'example.response-header')?.phase).toBe('attach');
  });

  it('adds its header to every forwarding route, and nothing without it', async () => {
    const { resources, diagnostics } = readResourcesFromPaths([quickstart]);
    expect(diagnostics).toEqual([]);
    const withPlugin = compile(resources, createPipeline(await pluginsFromExampleConfig()));
    const without = compile(resources, createPipeline(distribution));
    expect(withPlugin.diagnostics).toEqual([]);

    const added = responseHeaders(withPlugin.xds);
    const plain = responseHeaders(without.xds);
    expect(added.size).toBeGreaterThan(0);
    expect([...added.keys()]).toEqual([...plain.keys()]);
    for (const [route, headers] of added) {
      expect(headers).toEqual([...plain.get(route)!, 'x-attache-example=quickstart']);
    }
  });

  it('leaves a route that sets the header itself alone, with a warning on its Mapping', async () => {
    const { resources } = readResourcesFromPaths([quickstart]);
    const [example] = (await pluginsFromExampleConfig()).slice(-1);
    const pipeline = createPipeline([
      ...distribution,
      { plugin: example!.plugin, config: { header: 'x-served-by' } },
    ]);
    const result = compile(resources, pipeline);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.resource?.name, d.path])).toEqual([
      ['EXAMPLE_HEADER_CONFLICT', 'warning', 'users-beta', '/spec/add_response_headers'],
    ]);
    // Every route has exactly one x-served-by: the Mapping's own on users-beta, the plugin's elsewhere.
    const servedBy = [...responseHeaders(result.xds).values()].map((h) =>
      h.filter((x) => x.startsWith('x-served-by=')),
    );
    expect(servedBy.every((values) => values.length === 1)).toBe(true);
    expect(new Set(servedBy.flat())).toEqual(
      new Set(['x-served-by=users-beta', 'x-served-by=hello from attache']),
    );
  });

  it('rejects a bad config at load, naming the field', async () => {
    const [example] = (await pluginsFromExampleConfig()).slice(-1);
    expect(() =>
      createPipeline([...distribution, { plugin: example!.plugin, config: { header: 'not a header' } }]),
    ).toThrow(/plugin 'example'[\s\S]*\/header/);
  });
});
