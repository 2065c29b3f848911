import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyXdsResources, type Logger, type Snapshot, TypeUrl } from '@attache/core';
import { buildAdsBootstrap, buildStaticBootstrap } from '@attache/envoy';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type BootstrapBuilders,
  createFileSink,
  type FileSinkConfig,
  FileSinkConfigSchema,
} from './file-sink.js';

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };
const noFeedback = { rejected() {}, accepted() {} };

// Simplified builders, so these tests are about when and how the sink writes; the real
// builders (and their validated output) are exercised in the last test.
const builders: BootstrapBuilders = {
  buildStaticBootstrap(resources, options) {
    return {
      node: options?.node,
      staticResources: { clusters: resources[TypeUrl.Cluster].map((c) => c.resource) },
    };
  },
  buildAdsBootstrap(options) {
    return {
      node: options.node,
      dynamicResources: { adsConfig: { target: `${options.ads.host}:${options.ads.port}` } },
    };
  },
};

function sinkIn(dir: string, raw: Partial<FileSinkConfig>) {
  const config = Value.Default(FileSinkConfigSchema, structuredClone(raw)) as FileSinkConfig;
  expect([...Value.Errors(FileSinkConfigSchema, config)]).toEqual([]);
  return createFileSink({ config, logger: quietLogger, feedback: noFeedback, baseDir: dir }, builders);
}

function snapshotWith(clusters: string[], group = 'default', serial = 1): Snapshot {
  const resources = emptyXdsResources();
  resources[TypeUrl.Cluster] = clusters.map((name) => ({
    typeUrl: TypeUrl.Cluster,
    name,
    resource: { '@type': TypeUrl.Cluster, name },
    version: name,
    provenance: [],
  }));
  return { group, serial, version: clusters.join(','), resources, diagnostics: [] };
}

describe('file sink', () => {
  it('writes an ADS bootstrap at start, with a node locality, and leaves no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-sink-'));
    const sink = sinkIn(dir, {
      path: 'out/envoy.json',
      mode: 'ads',
      ads: { host: '127.0.0.1', port: 18001 },
    });
    await sink.start();
    const written = JSON.parse(readFileSync(join(dir, 'out/envoy.json'), 'utf8'));
    expect(written.node).toEqual({ id: 'attache-envoy', cluster: 'attache', locality: { zone: 'attache' } });
    expect(written.dynamicResources.adsConfig.target).toBe('127.0.0.1:18001');
    await sink.publish(snapshotWith(['a']));
    expect(JSON.parse(readFileSync(join(dir, 'out/envoy.json'), 'utf8'))).toEqual(written);
    expect(readdirSync(join(dir, 'out'))).toEqual(['envoy.json']);
    await sink.stop();
  });

  it('does not rewrite an unchanged file, even across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-sink-'));
    await sinkIn(dir, { path: 'envoy.json', mode: 'ads' }).start();
    const before = statSync(join(dir, 'envoy.json'));
    await sinkIn(dir, { path: 'envoy.json', mode: 'ads' }).start();
    expect(statSync(join(dir, 'envoy.json')).ino).toBe(before.ino);
    await sinkIn(dir, { path: 'envoy.json', mode: 'ads', ads: { host: '127.0.0.1', port: 19000 } }).start();
    expect(statSync(join(dir, 'envoy.json')).ino).not.toBe(before.ino);
  });

  it('follows the snapshots of its group in static mode, only when the content changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-sink-'));
    const file = join(dir, 'static.yaml');
    const sink = sinkIn(dir, { path: 'static.yaml', mode: 'static', format: 'yaml' });
    await sink.start();
    expect(() => statSync(file)).toThrow();
    await sink.publish(snapshotWith(['a', 'b']));
    const first = statSync(file).ino;
    expect(
      parseYaml(readFileSync(file, 'utf8')).staticResources.clusters.map((c: { name: string }) => c.name),
    ).toEqual(['a', 'b']);
    await sink.publish(snapshotWith(['a', 'b'], 'default', 2));
    expect(statSync(file).ino).toBe(first);
    await sink.publish(snapshotWith(['z'], 'edge', 3));
    expect(statSync(file).ino).toBe(first);
    await sink.publish(snapshotWith(['b'], 'default', 4));
    expect(
      parseYaml(readFileSync(file, 'utf8')).staticResources.clusters.map((c: { name: string }) => c.name),
    ).toEqual(['b']);
  });

  it('writes what the real @attache/envoy builders produce', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-sink-'));
    const config = Value.Default(FileSinkConfigSchema, {
      path: 'envoy.json',
      mode: 'ads',
      ads: { host: '127.0.0.1', port: 18000 },
      admin: { port: 9901 },
    }) as FileSinkConfig;
    const real = { buildAdsBootstrap, buildStaticBootstrap };
    await createFileSink({ config, logger: quietLogger, feedback: noFeedback, baseDir: dir }, real).start();
    const bootstrap = JSON.parse(readFileSync(join(dir, 'envoy.json'), 'utf8'));
    expect(bootstrap.node.locality).toEqual({ zone: 'attache' });
    expect(JSON.stringify(bootstrap)).toContain('"port_value":18000');
    expect(JSON.stringify(bootstrap.admin)).toContain('9901');
  });

  it('asks Envoy for delta xDS by default, state-of-the-world with ads.delta: false', async () => {
    const apiType = async (ads: Record<string, unknown>) => {
      const dir = mkdtempSync(join(tmpdir(), 'attache-sink-'));
      const config = Value.Default(FileSinkConfigSchema, {
        path: 'envoy.json',
        mode: 'ads',
        ads,
      }) as FileSinkConfig;
      const real = { buildAdsBootstrap, buildStaticBootstrap };
      await createFileSink({ config, logger: quietLogger, feedback: noFeedback, baseDir: dir }, real).start();
      return JSON.parse(readFileSync(join(dir, 'envoy.json'), 'utf8')).dynamic_resources.ads_config.api_type;
    };
    expect(await apiType({ delta: true })).toBe('DELTA_GRPC');
    expect(await apiType({})).toBe('DELTA_GRPC');
    expect(await apiType({ delta: false })).toBe('GRPC');
  });
});
