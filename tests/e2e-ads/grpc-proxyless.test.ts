import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDistribution } from '../../apps/attache/src/distribution.js';
import { bootRuntime, loadConfigFile } from '../../packages/runtime/src/index.js';
import { GrpcEchoServer, grpcEchoClient } from '../../packages/testkit/src/index.js';
import { grpcXds, type Runtime, silentLogger } from './deps.js';

/**
 * Proxyless gRPC as a product feature: `attache.yaml` names a target and a
 * Host (feature-grpc's `proxyless` config), the runtime compiles the file
 * source with the standard distribution and serves it over ADS, and gRPC's
 * own xDS client (grpc-js-xds, which needs node.locality in its bootstrap)
 * dials `xds:///<target>`: unary and server-streaming RPCs reach a real gRPC
 * server, and an edit of the Mapping moves them to another one.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const resources = (port: number, host = '127.0.0.1') => `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: grpc, namespace: default}
spec: {hostname: grpc.example.com, requestPolicy: {insecure: {action: Route}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: echo, namespace: default}
spec:
  hostname: grpc.example.com
  prefix: /attache.test.Echo/
  grpc: true
  grpc_match: {service: attache.test.Echo}
  service: ${host}:${port}
`;

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('proxyless gRPC: attache.yaml targets served over ADS to grpc-js-xds', () => {
  let dir: string;
  let runtime: Runtime;
  let one: GrpcEchoServer;
  let two: GrpcEchoServer;
  let client: ReturnType<typeof grpcEchoClient>;

  beforeAll(async () => {
    one = await GrpcEchoServer.start('one');
    two = await GrpcEchoServer.start('two');
    dir = mkdtempSync(join(tmpdir(), 'attache-proxyless-'));
    const adsPort = await freePort();
    writeFileSync(join(dir, 'resources.yaml'), resources(one.port));
    writeFileSync(
      join(dir, 'attache.yaml'),
      `plugins:
  - id: feature-grpc
    config:
      proxyless:
        - target: echo.grpc
          host: default/grpc
sources:
  file: {paths: [resources.yaml]}
sinks:
  ads: {address: "127.0.0.1:${adsPort}"}
`,
    );
    const loaded = loadConfigFile(join(dir, 'attache.yaml'));
    const distribution = await loadDistribution({ sources: ['file'], sinks: ['ads'] });
    expect(distribution.missing).toEqual([]);
    ({ runtime } = await bootRuntime({
      config: loaded.config,
      baseDir: loaded.baseDir,
      distribution: distribution.plugins,
      logger: silentLogger(),
    }));
    await runtime.start();
    await runtime.flush();
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [
        {
          server_uri: `127.0.0.1:${adsPort}`,
          channel_creds: [{ type: 'insecure' }],
          server_features: ['xds_v3'],
        },
      ],
      node: { id: 'grpc-proxyless-e2e', cluster: 'e2e', locality: { zone: 'z' } },
    });
    grpcXds.register();
    client = grpcEchoClient('xds:///echo.grpc');
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await runtime?.stop();
    await one?.close();
    await two?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a unary RPC reaches the gRPC server behind the Host’s Mapping', async () => {
    await eventually(async () => (await client.say('hello')).backend === 'one', 'the first RPC');
    const reply = await client.say('hello');
    expect(reply).toMatchObject({ backend: 'one', method: 'Say', message: 'hello' });
    expect(runtime.diagnostics().filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('a server-streaming RPC gets every message', async () => {
    const replies = await client.count('tick', 5);
    expect(replies.map((r) => [r.backend, r.index])).toEqual([0, 1, 2, 3, 4].map((i) => ['one', i]));
  });

  it('an edit of the Mapping moves the calls to another server', async () => {
    writeFileSync(join(dir, 'resources.yaml'), resources(two.port));
    await eventually(async () => (await client.say('again')).backend === 'two', 'calls on server two');
    expect(two.calls.some((c) => c.message === 'again')).toBe(true);
  });

  it('a service named by DNS is served as a LOGICAL_DNS cluster gRPC resolves itself', async () => {
    writeFileSync(join(dir, 'resources.yaml'), resources(one.port, 'localhost'));
    await eventually(
      async () => (await client.say('by name')).backend === 'one',
      'calls on server one via localhost',
    );
  });

  it('gRPC accepted every resource it was sent (no NACK reached the runtime)', () => {
    expect(runtime.diagnostics().filter((d) => d.code === 'ENVOY_REJECTED')).toEqual([]);
  });
});
