import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsulAgent,
  consulMissingMessage,
  EchoServer,
  type Edge,
  edgeSkipReason,
  findConsulBinary,
  freePort,
  listener,
  mapping,
  type Obj,
  request,
  resourceDir,
  startEdge,
  TcpEchoServer,
  tcpExchange,
  writeResources,
} from './edge.js';
import { echoed, expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * A ConsulResolver end to end: `attache serve` with the consul source watching a
 * real `consul agent -dev`, a real Envoy, real upstreams. Traffic follows the
 * instances Consul knows (registered, deregistered, failing their check), the
 * changes reach Envoy as EDS updates alone (Envoy's own per-type update
 * counters), and with the agent gone the last known endpoints keep serving.
 */
const skip = edgeSkipReason('e2e-envoy consul') ?? (findConsulBinary() ? undefined : consulMissingMessage());
if (skip) console.warn(`\n*** e2e-envoy consul: SKIPPED — ${skip}\n`);

const consulResolver = (address: string): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'ConsulResolver',
  metadata: { name: 'consul-dc1', namespace: 'default' },
  spec: { address, datacenter: 'dc1' },
});

describe.skipIf(skip !== undefined)('e2e-envoy: Consul resolver', () => {
  const agent = new ConsulAgent();
  const up: EchoServer[] = [];
  const resources = resourceDir();
  let edge: Edge;
  let port: number;
  let tcpPort: number;
  let ledger: TcpEchoServer;

  beforeAll(async () => {
    await agent.start();
    for (const name of ['shop-1', 'shop-2', 'shop-3']) up.push(await EchoServer.start({ name }));
    await agent.register({
      id: 'shop-1',
      name: 'shop',
      address: '127.0.0.1',
      port: up[0]!.port,
      ttlCheck: true,
    });
    await agent.register({
      id: 'shop-2',
      name: 'shop',
      address: '127.0.0.1',
      port: up[1]!.port,
      ttlCheck: true,
    });
    ledger = await TcpEchoServer.start({ name: 'ledger' });
    await agent.register({ id: 'ledger-1', name: 'ledger', address: '127.0.0.1', port: ledger.port });
    port = await freePort();
    tcpPort = await freePort();
    writeResources(resources.dir, 'edge.yaml', [
      listener('http', port),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        metadata: { name: 'any', namespace: 'default' },
        spec: { hostname: '*', requestPolicy: { insecure: { action: 'Route' } } },
      },
      consulResolver(agent.address),
      mapping('shop', { prefix: '/shop/', service: 'shop', resolver: 'consul-dc1' }),
      mapping('sticky', {
        prefix: '/sticky/',
        service: 'shop',
        resolver: 'consul-dc1',
        load_balancer: { policy: 'ring_hash', header: 'x-user' },
      }),
      mapping('ghost', { prefix: '/ghost/', service: 'shop', resolver: 'no-such-resolver' }),
      mapping('nobody', { prefix: '/nobody/', service: 'nobody', resolver: 'consul-dc1' }),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'TCPMapping',
        metadata: { name: 'ledger', namespace: 'default' },
        spec: { port: tcpPort, service: 'ledger:1', resolver: 'consul-dc1' },
      },
    ]);
    edge = await startEdge({
      resources: resources.dir,
      name: 'consul',
      delta: true,
      config: {
        sources: {
          file: { paths: [resources.dir], watch: true },
          consul: { waitSeconds: 30, backoff: { initialMs: 100, maxMs: 1000 } },
        },
      },
    });
    await waitForListeners(edge.envoy, 2);
  }, 120_000);
  afterAll(async () => {
    await edge?.stop();
    for (const u of up) await u.close();
    await ledger?.close();
    await agent.close();
    resources.remove();
  });

  /** Which upstreams answer /shop/ over `n` requests. */
  const backends = async (n = 30): Promise<string[]> => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const answer = await request(port, `/shop/${i}`, { host: 'shop.example' });
      seen.add(answer.status === 200 ? echoed(answer).backend : `status ${answer.status}`);
    }
    return [...seen].sort();
  };
  /** Waits until /shop/ is answered by exactly `want`. */
  const until = async (want: string[], what: string) => {
    const deadline = Date.now() + 20_000;
    let last: string[] = [];
    while (Date.now() < deadline) {
      last = await backends();
      if (last.join() === want.join()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `${what}: /shop/ answered by ${last.join(', ')}, not ${want.join(', ')}\n${edge.attache.tail()}`,
    );
  };

  it('routes to both registered instances', async () => {
    await until(['shop-1', 'shop-2'], 'two instances');
  });

  it('a TCPMapping through the ConsulResolver reaches the instance Consul knows (its port, not the one written)', async () => {
    // The source learns of the TCPMapping's service from the store; its endpoints follow within the debounce.
    const deadline = Date.now() + 20_000;
    let result: Awaited<ReturnType<typeof tcpExchange>> | Error = new Error('not tried');
    while (Date.now() < deadline) {
      result = await tcpExchange(tcpPort, 'PING ledger\n', { timeoutMs: 2000 }).catch((e: Error) => e);
      if (!(result instanceof Error)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(result).toEqual({ greeting: 'hello from ledger tls=no sni=-', echoed: 'PING ledger\n' });
  });

  it('ring_hash on Consul endpoints: each user sticks to one instance, and the users spread', async () => {
    const chosen = new Map<string, Set<string>>();
    for (let u = 0; u < 12; u++) {
      for (let i = 0; i < 5; i++) {
        const answer = await request(port, '/sticky/x', {
          host: 'shop.example',
          headers: { 'x-user': `user-${u}` },
        });
        const set = chosen.get(`user-${u}`) ?? new Set<string>();
        set.add(echoed(answer).backend);
        chosen.set(`user-${u}`, set);
      }
    }
    for (const [user, backends] of chosen) expect([user, backends.size]).toEqual([user, 1]);
    const used = new Set([...chosen.values()].flatMap((s) => [...s]));
    expect([...used].sort()).toEqual(['shop-1', 'shop-2']);
  });

  it('a missing resolver and a service without instances answer 503, with their diagnostics', async () => {
    expect((await request(port, '/ghost/x', { host: 'shop.example' })).status).toBe(503);
    expect((await request(port, '/nobody/x', { host: 'shop.example' })).status).toBe(503);
    const codes = (await edge.attache.diagnostics()).map(
      (d) => `${d.code} ${(d.resource as Obj | undefined)?.name}`,
    );
    expect(codes).toEqual(
      expect.arrayContaining(['MAPPING_RESOLVER_UNKNOWN ghost', 'MAPPING_NO_ENDPOINTS nobody']),
    );
  });

  it('follows a third instance, a deregistration and a failing check with EDS updates alone', async () => {
    const before = await edge.envoy.xdsStats();
    await agent.register({
      id: 'shop-3',
      name: 'shop',
      address: '127.0.0.1',
      port: up[2]!.port,
      ttlCheck: true,
    });
    await until(['shop-1', 'shop-2', 'shop-3'], 'third instance');
    await agent.deregister('shop-2');
    await until(['shop-1', 'shop-3'], 'shop-2 deregistered');
    await agent.setCheck('shop-1', 'fail');
    await until(['shop-3'], 'shop-1 failing its check');
    await agent.setCheck('shop-1', 'pass');
    await until(['shop-1', 'shop-3'], 'shop-1 passing again');
    const after = await edge.envoy.xdsStats();
    expect(after.eds.updateSuccess - before.eds.updateSuccess).toBeGreaterThanOrEqual(4);
    expect({
      cds: after.cds.updateAttempt - before.cds.updateAttempt,
      lds: after.lds.updateAttempt - before.lds.updateAttempt,
      rds: after.rds.updateAttempt - before.rds.updateAttempt,
    }).toEqual({ cds: 0, lds: 0, rds: 0 });
    await expectNoRejectedUpdates(edge.envoy);
  }, 120_000);

  it('keeps the last known endpoints while the agent is down, with a diagnostic on the resolver', async () => {
    await agent.stop();
    await edge.attache.waitFor(
      async () => (await edge.attache.diagnostics()).some((d) => d.code === 'CONSUL_AGENT_UNREACHABLE'),
      { what: 'CONSUL_AGENT_UNREACHABLE', timeoutMs: 20_000 },
    );
    const d = (await edge.attache.diagnostics()).find((x) => x.code === 'CONSUL_AGENT_UNREACHABLE')!;
    expect(d.resource).toMatchObject({ kind: 'ConsulResolver', name: 'consul-dc1' });
    expect(await backends()).toEqual(['shop-1', 'shop-3']);
    // Back (dev mode: empty catalog), one instance registered: resync.
    await agent.start();
    await agent.register({ id: 'shop-2', name: 'shop', address: '127.0.0.1', port: up[1]!.port });
    await until(['shop-2'], 'resync after the agent came back');
    await edge.attache.waitFor(
      async () => !(await edge.attache.diagnostics()).some((x) => x.code === 'CONSUL_AGENT_UNREACHABLE'),
      { what: 'the diagnostic to clear', timeoutMs: 20_000 },
    );
  }, 120_000);
});
