import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compile,
  contentHash,
  createXdsServer,
  envoyPlugin,
  grpc,
  grpcClientResources,
  grpcXds,
  httpPlugin,
  type Snapshot,
  type StoredResource,
  TypeUrl,
  validateResource,
  type XdsResource,
  type XdsServer,
  xdsSnapshot,
} from './deps.js';

/**
 * gRPC's own xDS client (grpc-js-xds), independent of ours, consumes what we
 * compile and serve: a Mapping routes a real RPC to a real backend, an update
 * moves it, and a resource gRPC rejects is NACKed, reported, and does not
 * break the config that was serving.
 */

const target = 'edge-api';
const echoPath = '/attache.test.Echo/Say';
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as { backend: string },
};

async function startBackend(name: string): Promise<{ port: number; server: import('@grpc/grpc-js').Server }> {
  const server = new grpc.Server();
  server.addService(
    {
      Say: {
        path: echoPath,
        requestStream: false,
        responseStream: false,
        requestSerialize: json.serialize,
        requestDeserialize: json.deserialize,
        responseSerialize: json.serialize,
        responseDeserialize: json.deserialize,
      },
    },
    {
      Say: (_call: unknown, callback: (error: null, value: { backend: string }) => void) =>
        callback(null, { backend: name }),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { port, server };
}

function inputs(port: number): StoredResource[] {
  const origin = { source: 'e2e' };
  return [
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Listener',
        metadata: { name: 'edge', namespace: 'default' },
        spec: {
          port: 8080,
          protocol: 'HTTP',
          securityModel: 'XFP',
          hostBinding: { namespace: { from: 'ALL' } },
        },
      },
      origin,
    },
    {
      // gRPC clients refuse a route table with direct responses, so the
      // built-in probe routes (Envoy answers them) are turned off.
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { liveness_probe: { enabled: false }, readiness_probe: { enabled: false } } },
      },
      origin,
    },
    {
      resource: {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'echo', namespace: 'default' },
        spec: { hostname: '*', prefix: '/', rewrite: '', service: `127.0.0.1:${port}` },
      },
      origin,
    },
  ];
}

function compiledSnapshot(serial: number, port: number): Snapshot {
  const result = compile(inputs(port), [httpPlugin, envoyPlugin]);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  return xdsSnapshot({ serial, resources: grpcClientResources(result.xds, { target }) });
}

function call(client: import('@grpc/grpc-js').Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      echoPath,
      json.serialize,
      json.deserialize,
      {},
      { deadline: Date.now() + 10_000, waitForReady: true } as import('@grpc/grpc-js').CallOptions,
      (error: Error | null, value?: { backend: string }) =>
        error ? reject(error) : resolve(value?.backend ?? ''),
    );
  });
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('gRPC xDS client (grpc-js-xds) against the ADS server, with compiled Mappings', () => {
  const rejections: { typeUrl: string; resourceNames: string[]; message: string; group: string }[] = [];
  let xds: XdsServer;
  let one: Awaited<ReturnType<typeof startBackend>>;
  let two: Awaited<ReturnType<typeof startBackend>>;
  let client: import('@grpc/grpc-js').Client;

  beforeAll(async () => {
    one = await startBackend('one');
    two = await startBackend('two');
    xds = createXdsServer({
      address: '127.0.0.1:0',
      feedback: { rejected: (e) => rejections.push(e), accepted() {} },
    });
    const port = await xds.listen();
    xds.setSnapshot(compiledSnapshot(1, one.port));
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [
        {
          server_uri: `127.0.0.1:${port}`,
          channel_creds: [{ type: 'insecure' }],
          server_features: ['xds_v3'],
        },
      ],
      node: { id: 'grpc-e2e', cluster: 'e2e', locality: { zone: 'z' } },
    });
    grpcXds.register();
    client = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    await xds?.close(500);
    one?.server.forceShutdown();
    two?.server.forceShutdown();
  });

  it('routes an RPC through the compiled Mapping to the backend', async () => {
    expect(await call(client)).toBe('one');
    const stream = xds.streams()[0];
    expect(stream?.node?.id).toBe('grpc-e2e');
    expect(stream?.types.map((t) => t.typeUrl)).toEqual([
      TypeUrl.Cluster,
      TypeUrl.ClusterLoadAssignment,
      TypeUrl.Listener,
      TypeUrl.RouteConfiguration,
    ]);
    expect(stream?.types.every((t) => t.acks > 0 && t.nacks === 0)).toBe(true);
  });

  it('moves traffic to a second backend when the Mapping changes', async () => {
    xds.setSnapshot(compiledSnapshot(2, two.port));
    await eventually(async () => (await call(client)) === 'two', 'traffic on backend two');
    // The cluster of backend one goes away once the routes no longer use it.
    await eventually(
      async () => xds.streams()[0]?.types.find((t) => t.typeUrl === TypeUrl.Cluster)?.subscribed.length === 1,
      'the old cluster to be unsubscribed',
    );
  });

  it('reports a cluster gRPC rejects (NACK) on the right resource and keeps the last good config serving', async () => {
    const good = compiledSnapshot(3, two.port);
    const clusters = good.resources[TypeUrl.Cluster];
    const original = clusters[0] as XdsResource;
    // MAGLEV is valid Envoy (our validation accepts it) but not a policy gRPC implements.
    const maglev = { ...original.resource, lb_policy: 'MAGLEV' };
    expect(validateResource(maglev)).toEqual([]);
    const bad: Snapshot = {
      ...good,
      serial: 3,
      resources: {
        ...good.resources,
        [TypeUrl.Cluster]: [{ ...original, resource: maglev, version: contentHash(maglev) }],
      },
    };
    xds.setSnapshot(bad);
    await eventually(async () => rejections.length > 0, 'the NACK to reach feedback');
    expect(rejections[0]).toMatchObject({
      group: 'default',
      typeUrl: TypeUrl.Cluster,
      resourceNames: [original.name],
    });
    expect(rejections[0]?.message).toContain('MAGLEV');
    // Through provenance the rejected cluster leads back to the Mapping.
    expect(original.provenance).toContainEqual(expect.objectContaining({ kind: 'Mapping', name: 'echo' }));
    // Parked, not resent in a loop: exactly one NACK while nothing changes.
    await new Promise((r) => setTimeout(r, 300));
    const cds = xds.streams()[0]?.types.find((t) => t.typeUrl === TypeUrl.Cluster);
    expect(cds?.nacks).toBe(1);
    expect(cds?.lastNack?.resourceNames).toEqual([original.name]);
    expect(await call(client)).toBe('two');
  });
});
