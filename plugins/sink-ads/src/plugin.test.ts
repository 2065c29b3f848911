import type { Feedback, Logger, SinkFactory } from '@attache/core';
import { XdsTestClient } from '@attache/testkit';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { adsMetricsRegistry } from './metrics.js';
import { type AdsSink, sinkAdsPlugin } from './plugin.js';
import { makeTestPki } from './testdata/certs.js';
import { config, T, until } from './testdata/fixtures.js';

const silent: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silent,
};

function adsFactory(): SinkFactory {
  const sinks: SinkFactory[] = [];
  sinkAdsPlugin.register({
    pluginId: 'sink-ads',
    config: undefined,
    pass() {},
    diagnostics() {},
    source() {},
    fields() {},
    delegateFields() {},
    delegateKinds() {},
    sink: (factory) => sinks.push(factory),
  });
  const factory = sinks[0];
  if (!factory) throw new Error('sink-ads registered no sink');
  return factory;
}

function createSink(config: Record<string, unknown>, feedback?: Feedback, baseDir = '/'): AdsSink {
  return adsFactory().create({
    config,
    logger: silent,
    feedback: feedback ?? { rejected() {}, accepted() {} },
    baseDir,
  }) as AdsSink;
}

let sink: AdsSink | undefined;
const clients: XdsTestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sink?.stop();
  sink = undefined;
});

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const metrics = await adsMetricsRegistry.getMetricsAsJSON();
  const found = metrics.find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('sink-ads plugin', () => {
  it("registers an 'ads' sink that serves published snapshots, counts them, and drains on stop", async () => {
    const factory = adsFactory();
    expect(factory.type).toBe('ads');
    sink = createSink({ address: '127.0.0.1:0' });
    await sink.start();
    sink.publish(config(1, { a: 1 }));
    const pushesBefore = await metric('attache_xds_pushes_total', { type: 'Cluster', variant: 'sotw' });
    const acksBefore = await metric('attache_xds_acks_total', { type: 'Cluster', variant: 'sotw' });

    const client = new XdsTestClient({
      address: `127.0.0.1:${sink.server.port}`,
      node: { id: 'envoy-1', cluster: 'edge' },
    });
    clients.push(client);
    const ads = client.sotw('ads');
    ads.subscribe(T.Cluster, []);
    const response = await ads.next(T.Cluster);
    ads.ack(response);
    const server = sink.server;
    await until(() => server.streams()[0]?.types[0]?.acks === 1, 'the ACK');

    expect(sink.streams()).toEqual(server.streams());
    expect(sink.metrics).toBe(adsMetricsRegistry);
    expect(server.streams()).toEqual([
      expect.objectContaining({
        service: 'ads',
        variant: 'sotw',
        node: { id: 'envoy-1', cluster: 'edge' },
        group: 'default',
        types: [
          expect.objectContaining({
            typeUrl: T.Cluster,
            subscribed: ['*'],
            ackedVersion: response.versionInfo,
            pending: false,
            lastNack: undefined,
          }),
        ],
      }),
    ]);
    expect(await metric('attache_xds_pushes_total', { type: 'Cluster', variant: 'sotw' })).toBe(
      pushesBefore + 1,
    );
    expect(await metric('attache_xds_acks_total', { type: 'Cluster', variant: 'sotw' })).toBe(acksBefore + 1);
    expect(
      await metric('attache_xds_connected_streams', { service: 'ads', variant: 'sotw' }),
    ).toBeGreaterThanOrEqual(1);

    await sink.stop();
    sink = undefined;
    await until(() => ads.ended, 'the stream to be ended by the drain');
    expect(server.streams()).toEqual([]);
  });

  it('serves over TLS, and with clientCa requires a client certificate (mTLS)', async () => {
    const pki = makeTestPki();
    sink = createSink(
      { address: '127.0.0.1:0', tls: { cert: 'server.crt', key: 'server.key', clientCa: pki.ca } },
      undefined,
      pki.dir,
    );
    await sink.start();
    sink.publish(config(1, { a: 1 }));
    const address = `127.0.0.1:${sink.server.port}`;

    const withCert = new XdsTestClient({
      address,
      node: { id: 'mtls' },
      credentials: grpc.credentials.createSsl(
        Buffer.from(pki.ca),
        Buffer.from(pki.clientKey),
        Buffer.from(pki.clientCert),
      ),
    });
    clients.push(withCert);
    const ok = withCert.sotw('ads');
    ok.subscribe(T.Cluster, []);
    expect((await ok.next(T.Cluster)).resources.map((r) => r.name)).toEqual(['a']);

    const withoutCert = new XdsTestClient({
      address,
      node: { id: 'anonymous' },
      credentials: grpc.credentials.createSsl(Buffer.from(pki.ca)),
    });
    clients.push(withoutCert);
    const refused = withoutCert.sotw('ads');
    refused.subscribe(T.Cluster, []);
    await expect(refused.next(T.Cluster, 5000)).rejects.toThrow(
      /UNAVAILABLE|handshake|certificate|ECONNRESET|socket/i,
    );
  });

  it('passes NACKs to the runtime feedback channel', async () => {
    const rejected: unknown[] = [];
    sink = createSink({ address: '127.0.0.1:0' }, { rejected: (e) => rejected.push(e), accepted() {} });
    await sink.start();
    sink.publish(config(1, { a: 1 }, { group: 'team-a' }));
    const client = new XdsTestClient({
      address: `127.0.0.1:${sink.server.port}`,
      node: { id: 'e1', metadata: { ambassador_id: ['team-a'] } },
    });
    clients.push(client);
    const ads = client.delta('ads');
    ads.subscribe(T.Cluster, ['*']);
    ads.nack(await ads.next(T.Cluster), 'Cluster a: bad');
    await until(() => rejected.length === 1, 'the feedback');
    expect(rejected[0]).toMatchObject({ group: 'team-a', typeUrl: T.Cluster, resourceNames: ['a'] });
  });
});
