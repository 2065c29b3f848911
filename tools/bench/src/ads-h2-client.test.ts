import { TypeUrl } from '@attache/core';
import { decodeMessage, envoyRegistry, toAny } from '@attache/envoy';
import { createXdsCodec, createXdsServer, type XdsServer } from '@attache/plugin-sink-ads';
import { edsClusterResources, xdsResource, xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvelopeStreamReader, type StreamedEnvelope } from './ads-envelope-stream.js';
import { encodeDeltaDiscoveryRequest, encodeDiscoveryRequest, H2XdsConnection } from './ads-h2-client.js';

const codec = createXdsCodec({ registry: envoyRegistry, decodeMessage, toAny });

function cluster(name: string, filler = 0) {
  return {
    '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
    name,
    type: 'STRICT_DNS',
    connect_timeout: '3s',
    // Long alt_stat_name: a resource body spread over many chunks.
    ...(filler > 0 ? { alt_stat_name: 'x'.repeat(filler) } : {}),
  };
}

function framed(message: Uint8Array): Buffer {
  const out = Buffer.alloc(message.length + 5);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** Feeds `bytes` to a reader in chunks of the given sizes (cycled), returning every envelope read. */
function readInChunks(bytes: Buffer, delta: boolean, sizes: number[]): StreamedEnvelope[] {
  const out: StreamedEnvelope[] = [];
  const reader = new EnvelopeStreamReader(delta, (e) => out.push(e));
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const size = sizes[k++ % sizes.length] as number;
    reader.push(bytes.subarray(i, i + size));
    i += size;
  }
  expect(reader.atBoundary).toBe(true);
  return out;
}

const resources = [
  codec.encodeResource('a', 'va', cluster('a')),
  codec.encodeResource('bé', 'vb', cluster('bé', 40_000)),
  codec.encodeResource('c', 'vc', cluster('c', 300)),
];
const sotw = codec.sotwResponse({ versionInfo: 'v1', typeUrl: TypeUrl.Cluster, nonce: 'n1', resources });
const delta = codec.deltaResponse({
  systemVersionInfo: 'sys',
  typeUrl: TypeUrl.Cluster,
  nonce: 'n2',
  resources,
  removedResources: ['gone', 'also-gone'],
});

describe('EnvelopeStreamReader', () => {
  // Chunk sizes: one byte at a time, odd sizes that cut tags, lengths and names, and whole messages.
  for (const sizes of [[1], [2, 3, 7], [4999, 1], [16384], [1 << 20]]) {
    it(`reads a SotW and a delta response cut into chunks of ${sizes.join('/')} bytes like the protobuf decoder`, () => {
      const two = Buffer.concat([framed(sotw), framed(sotw)]);
      const sotwRead = readInChunks(two, false, sizes);
      const decoded = decodeMessage('envoy.service.discovery.v3.DiscoveryResponse', sotw) as {
        versionInfo: string;
        typeUrl: string;
        nonce: string;
        resources: unknown[];
      };
      expect(sotwRead).toHaveLength(2);
      for (const e of sotwRead) {
        expect(e).toMatchObject({
          versionInfo: decoded.versionInfo,
          typeUrl: decoded.typeUrl,
          nonce: decoded.nonce,
          resourceCount: decoded.resources.length,
          bytes: sotw.length,
        });
      }

      const deltaRead = readInChunks(framed(delta), true, sizes);
      const d = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', delta) as {
        systemVersionInfo: string;
        typeUrl: string;
        nonce: string;
        removedResources: string[];
        resources: { name: string; version: string }[];
      };
      expect(deltaRead).toEqual([
        {
          versionInfo: d.systemVersionInfo,
          typeUrl: d.typeUrl,
          nonce: d.nonce,
          resourceCount: 3,
          names: d.resources.map((r) => r.name),
          versions: d.resources.map((r) => r.version),
          removed: d.removedResources,
          bytes: delta.length,
        },
      ]);
    });
  }

  it('emits nothing for a message cut short, and refuses compressed messages and fields overrunning their message', () => {
    const out: StreamedEnvelope[] = [];
    const reader = new EnvelopeStreamReader(false, (e) => out.push(e));
    reader.push(framed(sotw).subarray(0, 1000));
    expect(out).toEqual([]);
    expect(reader.atBoundary).toBe(false);

    const compressed = framed(sotw);
    compressed[0] = 1;
    expect(() => new EnvelopeStreamReader(false, () => {}).push(compressed)).toThrow(/compressed/);

    // A prefix claiming fewer bytes than the message has: its first field overruns it.
    const short = framed(sotw);
    short.writeUInt32BE(10, 1);
    expect(() => new EnvelopeStreamReader(false, () => {}).push(short)).toThrow(/overruns|inside a field/);
  });
});

describe('request encoding', () => {
  it('encodes a DiscoveryRequest the protobuf decoder reads back', () => {
    const names = ['x', 'yé', 'z'];
    const bytes = encodeDiscoveryRequest({
      node: { id: 'n', cluster: 'c' },
      versionInfo: 'v3',
      resourceNames: names,
      typeUrl: TypeUrl.ClusterLoadAssignment,
      responseNonce: 'q',
    });
    expect(decodeMessage('envoy.service.discovery.v3.DiscoveryRequest', bytes)).toEqual({
      versionInfo: 'v3',
      node: { id: 'n', cluster: 'c' },
      resourceNames: names,
      typeUrl: TypeUrl.ClusterLoadAssignment,
      responseNonce: 'q',
    });
  });

  it('encodes a DeltaDiscoveryRequest the protobuf decoder reads back', () => {
    expect(
      decodeMessage(
        'envoy.service.discovery.v3.DeltaDiscoveryRequest',
        encodeDeltaDiscoveryRequest({
          node: { id: 'n', cluster: 'c' },
          typeUrl: TypeUrl.Cluster,
          subscribe: ['*'],
        }),
      ),
    ).toEqual({ node: { id: 'n', cluster: 'c' }, typeUrl: TypeUrl.Cluster, resourceNamesSubscribe: ['*'] });
    expect(
      decodeMessage(
        'envoy.service.discovery.v3.DeltaDiscoveryRequest',
        encodeDeltaDiscoveryRequest({ typeUrl: TypeUrl.Cluster, responseNonce: 'n9' }),
      ),
    ).toEqual({ typeUrl: TypeUrl.Cluster, responseNonce: 'n9' });
  });
});

describe('H2XdsConnection against the ADS sink', () => {
  let server: XdsServer | undefined;
  afterEach(async () => {
    await server?.close(500);
    server = undefined;
  });

  const clusters = Array.from({ length: 30 }, (_, i) =>
    xdsResource({
      ...cluster(`svc-${i}`, i === 0 ? 200_000 : 0),
      load_assignment: {
        cluster_name: `svc-${i}`,
        endpoints: [
          {
            lb_endpoints: [
              { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8080 + i } } } },
            ],
          },
        ],
      },
    }),
  );

  async function serve() {
    server = createXdsServer({ address: '127.0.0.1:0' });
    const snapshot = xdsSnapshot({ serial: 1, resources: edsClusterResources(clusters) });
    server.setSnapshot(snapshot);
    const port = await server.listen();
    return { port, snapshot };
  }

  for (const deltaMode of [false, true]) {
    it(`${deltaMode ? 'delta' : 'SotW'}: receives CDS and EDS, ACKs them, and the server counts the stream settled`, async () => {
      const { port, snapshot } = await serve();
      const connection = new H2XdsConnection(`127.0.0.1:${port}`, 256 * 2 ** 20);
      const got: StreamedEnvelope[] = [];
      const names = snapshot.resources[TypeUrl.ClusterLoadAssignment].map((r) => r.name);
      let failed: Error | undefined;
      const stream = connection.stream(
        deltaMode,
        { id: 'h2-test', cluster: 'bench' },
        (response) => {
          got.push(response);
          stream.ack(response);
        },
        (error) => {
          failed = error;
        },
      );
      stream.subscribe(TypeUrl.Cluster, deltaMode ? ['*'] : []);
      stream.subscribe(TypeUrl.ClusterLoadAssignment, names);
      for (let i = 0; i < 200; i++) {
        const info = server?.streams()[0];
        if (info?.types.length === 2 && info.types.every((t) => t.acks > 0 && !t.pending)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(failed).toBeUndefined();
      const info = server?.streams()[0];
      expect(info?.node?.id).toBe('h2-test');
      expect(info?.types.map((t) => [t.typeUrl, t.acks > 0, t.pending, t.nacks])).toEqual(
        expect.arrayContaining([
          [TypeUrl.Cluster, true, false, 0],
          [TypeUrl.ClusterLoadAssignment, true, false, 0],
        ]),
      );
      const cds = got.find((r) => r.typeUrl === TypeUrl.Cluster);
      expect(cds?.resourceCount).toBe(30);
      expect(cds?.bytes).toBeGreaterThan(200_000);
      if (deltaMode) {
        // What the client holds is what the snapshot has: every name, with its version.
        const held = Object.fromEntries(stream.held.get(TypeUrl.Cluster) ?? []);
        expect(held).toEqual(
          Object.fromEntries(snapshot.resources[TypeUrl.Cluster].map((r) => [r.name, r.version])),
        );
      }
      stream.close();
      connection.close();
    });
  }
});
