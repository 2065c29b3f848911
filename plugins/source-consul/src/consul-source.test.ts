import type { DiagnosticInput, StoredResource, StoreView, StoreWriter } from '@attache/core';
import {
  ConsulAgent,
  consulMissingMessage,
  findConsulBinary,
  makeCa,
  makeCertificate,
} from '@attache/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsulSourceConfig } from './config.js';
import { ConsulSource } from './consul-source.js';

const missing = findConsulBinary() ? undefined : consulMissingMessage();
if (missing) console.warn(`\n*** source-consul real-agent tests SKIPPED: ${missing}\n`);

/** The runtime's side of a source, in memory: partitions written, and a view of all inputs. */
class Host implements StoreWriter, StoreView {
  readonly partitions = new Map<string, { resources: StoredResource[]; diagnostics: DiagnosticInput[] }>();
  inputs: StoredResource[] = [];
  writes = 0;
  isSynced = false;
  readonly #listeners = new Set<() => void>();
  replace(
    partition: string,
    resources: readonly StoredResource[],
    diagnostics: readonly DiagnosticInput[] = [],
  ) {
    this.partitions.set(partition, { resources: [...resources], diagnostics: [...diagnostics] });
    this.writes++;
    this.#changed();
  }
  upsert(): void {
    throw new Error('the Consul source replaces partitions');
  }
  delete(): void {
    throw new Error('the Consul source replaces partitions');
  }
  synced(): void {
    this.isSynced = true;
  }
  resources(): readonly StoredResource[] {
    return [...this.inputs, ...[...this.partitions.values()].flatMap((p) => p.resources)];
  }
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** Another source changed its resources. */
  setInputs(inputs: StoredResource[]): void {
    this.inputs = inputs;
    this.#changed();
  }
  #changed() {
    for (const l of this.#listeners) l();
  }
  endpoints(key: string): string[] {
    const r = this.partitions.get(key)?.resources[0];
    const eps = (r?.resource.spec as { endpoints?: Array<{ address: string; port: number }> } | undefined)
      ?.endpoints;
    return (eps ?? []).map((e) => `${e.address}:${e.port}`);
  }
  codes(key: string): string[] {
    return (this.partitions.get(key)?.diagnostics ?? []).map((d) => d.code);
  }
}

const at = { source: 'test' };
const resolver = (address: string, datacenter = 'dc1'): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'ConsulResolver',
    metadata: { name: 'consul-dc1', namespace: 'default' },
    spec: { address, datacenter },
  },
  origin: at,
});
const mapping = (name: string, service: string): StoredResource => ({
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { hostname: '*', prefix: `/${name}/`, service, resolver: 'consul-dc1' },
  },
  origin: at,
});

const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silent;
  },
};

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startSource(host: Host, config: Partial<ConsulSourceConfig> = {}): ConsulSource {
  return new ConsulSource({
    config: { waitSeconds: 30, backoff: { initialMs: 50, maxMs: 200 }, ...config },
    logger: silent,
    store: host,
    inputs: host,
    baseDir: process.cwd(),
  });
}

describe.skipIf(missing !== undefined)('ConsulSource against a real consul agent -dev', () => {
  const agent = new ConsulAgent();
  beforeAll(async () => {
    await agent.start();
  }, 90_000);
  afterAll(async () => {
    await agent.close();
  });

  it('follows instances coming, going and failing checks; the watch set follows the Mappings', async () => {
    await agent.register({ id: 'web-1', name: 'web', address: '127.0.0.11', port: 8001, ttlCheck: true });
    await agent.register({ id: 'web-2', name: 'web', address: '127.0.0.12', port: 8002, ttlCheck: true });
    const host = new Host();
    host.inputs = [resolver(agent.address), mapping('web', 'web:80'), mapping('other', 'other-svc')];
    const source = startSource(host);
    try {
      await source.start();
      expect(host.isSynced).toBe(true);
      expect(source.watching()).toEqual(['consul/dc1/other-svc', 'consul/dc1/web']);
      expect(host.endpoints('consul/dc1/web')).toEqual(['127.0.0.11:8001', '127.0.0.12:8002']);
      expect(host.endpoints('consul/dc1/other-svc')).toEqual([]);

      await agent.register({ id: 'web-3', name: 'web', address: '127.0.0.13', port: 8003, ttlCheck: true });
      await until('web-3', () => host.endpoints('consul/dc1/web').includes('127.0.0.13:8003'));
      await agent.setCheck('web-1', 'fail');
      await until('web-1 failing', () => !host.endpoints('consul/dc1/web').includes('127.0.0.11:8001'));
      await agent.deregister('web-2');
      await until('web-2 gone', () => host.endpoints('consul/dc1/web').length === 1);
      expect(host.endpoints('consul/dc1/web')).toEqual(['127.0.0.13:8003']);
      await agent.setCheck('web-1', 'pass');
      await until('web-1 back', () => host.endpoints('consul/dc1/web').length === 2);

      // The other service's Mapping goes away: its watch stops and its endpoints are withdrawn.
      host.setInputs([resolver(agent.address), mapping('web', 'web:80')]);
      await until('other-svc unwatched', () => source.watching().length === 1);
      expect(host.partitions.get('consul/dc1/other-svc')?.resources).toEqual([]);
      // A new one appears.
      await agent.register({ id: 'api-1', name: 'api', address: '127.0.0.21', port: 9000 });
      host.setInputs([resolver(agent.address), mapping('web', 'web:80'), mapping('api', 'api')]);
      await until('api watched', () => host.endpoints('consul/dc1/api').length === 1);
      expect(source.watching()).toEqual(['consul/dc1/api', 'consul/dc1/web']);
      // An answer that changes nothing (the blocking wait ran out) writes nothing.
      const writes = host.writes;
      await agent.register({ id: 'unrelated', name: 'unrelated', address: '127.0.0.99', port: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(host.writes).toBe(writes);
    } finally {
      await source.stop();
      for (const id of ['web-1', 'web-3', 'api-1', 'unrelated']) await agent.deregister(id).catch(() => {});
    }
  }, 60_000);

  it('keeps the last known endpoints with a diagnostic while the agent is down, and resyncs when it is back', async () => {
    const down = new ConsulAgent({ datacenter: 'dc1' });
    await down.start();
    try {
      await down.register({ id: 'db-1', name: 'db', address: '127.0.0.31', port: 5432 });
      const host = new Host();
      host.inputs = [resolver(down.address), mapping('db', 'db')];
      const source = startSource(host);
      try {
        await source.start();
        expect(host.endpoints('consul/dc1/db')).toEqual(['127.0.0.31:5432']);
        await down.stop();
        await until('unreachable diagnostic', () =>
          host.codes('consul/dc1/db').includes('CONSUL_AGENT_UNREACHABLE'),
        );
        expect(host.endpoints('consul/dc1/db')).toEqual(['127.0.0.31:5432']);
        const d = host.partitions.get('consul/dc1/db')!.diagnostics[0]!;
        expect(d.resource).toMatchObject({ kind: 'ConsulResolver', name: 'consul-dc1' });
        // Dev mode forgets its catalog: the agent comes back with other instances.
        await down.start();
        await down.register({ id: 'db-2', name: 'db', address: '127.0.0.32', port: 5432 });
        await until('resynced', () => host.endpoints('consul/dc1/db').join() === '127.0.0.32:5432', 20_000);
        expect(host.codes('consul/dc1/db')).toEqual([]);
      } finally {
        await source.stop();
      }
    } finally {
      await down.close();
    }
  }, 90_000);

  it('watches Mappings that another source stores while it starts, or after', async () => {
    await agent.register({ id: 'late-1', name: 'late', address: '127.0.0.61', port: 8080 });
    const host = new Host();
    const source = startSource(host);
    try {
      const starting = source.start();
      host.setInputs([resolver(agent.address), mapping('late', 'late')]); // during start()
      await starting;
      expect(host.isSynced).toBe(true);
      await until('late watched', () => host.endpoints('consul/dc1/late').length === 1);
    } finally {
      await source.stop();
      await agent.deregister('late-1');
    }
  });

  it('watches several resolvers at once: two datacenters, each on its own agent', async () => {
    const west = new ConsulAgent({ datacenter: 'west' });
    await west.start();
    try {
      await agent.register({ id: 'inv-east', name: 'inventory', address: '127.0.0.71', port: 7001 });
      await west.register({ id: 'inv-west', name: 'inventory', address: '127.0.0.72', port: 7002 });
      const host = new Host();
      const named = (name: string, address: string, datacenter: string): StoredResource => {
        const r = resolver(address, datacenter);
        return { ...r, resource: { ...r.resource, metadata: { name, namespace: 'default' } } };
      };
      const on = (name: string, service: string, resolverName: string): StoredResource => {
        const m = mapping(name, service);
        return { ...m, resource: { ...m.resource, spec: { ...m.resource.spec, resolver: resolverName } } };
      };
      host.inputs = [
        named('consul-east', agent.address, 'dc1'),
        named('consul-west', west.address, 'west'),
        on('inv-east', 'inventory', 'consul-east'),
        on('inv-west', 'inventory', 'consul-west'),
      ];
      const source = startSource(host);
      try {
        await source.start();
        expect(source.watching()).toEqual(['consul/dc1/inventory', 'consul/west/inventory']);
        expect(host.endpoints('consul/dc1/inventory')).toEqual(['127.0.0.71:7001']);
        expect(host.endpoints('consul/west/inventory')).toEqual(['127.0.0.72:7002']);
        // One agent down touches its own datacenter only.
        await west.stop();
        await until('west unreachable', () =>
          host.codes('consul/west/inventory').includes('CONSUL_AGENT_UNREACHABLE'),
        );
        expect(host.codes('consul/dc1/inventory')).toEqual([]);
        expect(host.endpoints('consul/west/inventory')).toEqual(['127.0.0.72:7002']);
      } finally {
        await source.stop();
        await agent.deregister('inv-east');
      }
    } finally {
      await west.close();
    }
  }, 90_000);

  it('dials the address sources.consul.addresses gives for a resolver address', async () => {
    await agent.register({ id: 'aliased-1', name: 'aliased', address: '127.0.0.81', port: 8080 });
    const host = new Host();
    host.inputs = [resolver('consul-server.consul.invalid:8500'), mapping('aliased', 'aliased')];
    const source = startSource(host, { addresses: { 'consul-server.consul.invalid:8500': agent.address } });
    try {
      await source.start();
      expect(host.endpoints('consul/dc1/aliased')).toEqual(['127.0.0.81:8080']);
    } finally {
      await source.stop();
      await agent.deregister('aliased-1');
    }
  });

  it('starts, synced, with nothing known when the agent is unreachable from the start', async () => {
    const host = new Host();
    host.inputs = [resolver('127.0.0.1:1'), mapping('x', 'x')];
    const source = startSource(host);
    try {
      await source.start();
      expect(host.isSynced).toBe(true);
      expect(host.codes('consul/dc1/x')).toEqual(['CONSUL_AGENT_UNREACHABLE']);
      expect(host.endpoints('consul/dc1/x')).toEqual([]);
    } finally {
      await source.stop();
    }
  });
});

describe.skipIf(missing !== undefined)('ConsulSource: ACL tokens and TLS to the agent', () => {
  const management = 'e5b0c9a4-0000-4000-8000-000000000001';
  const ca = makeCa('attache test consul CA');
  const cert = makeCertificate({ commonName: 'consul.test', dnsNames: ['consul.test', 'localhost'], ca });
  const agent = new ConsulAgent({
    managementToken: management,
    tls: { cert: cert.cert, key: cert.key, ca: ca.cert },
  });
  let readToken = '';
  beforeAll(async () => {
    await agent.start();
    readToken = await agent.createToken(
      'service_prefix "" { policy = "read" } node_prefix "" { policy = "read" }',
    );
    await agent.register({ id: 'pay-1', name: 'pay', address: '127.0.0.41', port: 7000 });
  }, 90_000);
  afterAll(async () => {
    await agent.close();
  });

  it('without a token Consul hides the instances: CONSUL_RESULTS_FILTERED, no endpoints', async () => {
    const host = new Host();
    host.inputs = [resolver(agent.address), mapping('pay', 'pay')];
    const source = startSource(host, { token: { env: 'ATTACHE_TEST_NO_SUCH_VARIABLE' } });
    try {
      await source.start();
      expect(host.endpoints('consul/dc1/pay')).toEqual([]);
      expect(host.codes('consul/dc1/pay')).toEqual(['CONSUL_RESULTS_FILTERED']);
    } finally {
      await source.stop();
    }
  });

  it('reads the token from a Secret (and reports the Secret missing until it exists)', async () => {
    const host = new Host();
    const base = [resolver(agent.address), mapping('pay', 'pay')];
    host.inputs = base;
    const source = startSource(host, {
      token: { secret: { name: 'consul-token', namespace: 'edge', key: 'token' } },
    });
    try {
      await source.start();
      expect(host.codes('consul/dc1/pay')).toContain('CONSUL_TOKEN_SECRET_MISSING');
      host.setInputs([
        ...base,
        {
          resource: {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'consul-token', namespace: 'edge' },
            data: { token: Buffer.from(readToken).toString('base64') },
          },
          origin: at,
        },
      ]);
      await until('endpoints with the token', () => host.endpoints('consul/dc1/pay').length === 1);
      expect(host.codes('consul/dc1/pay')).toEqual([]);
    } finally {
      await source.stop();
    }
  });

  it('reads the token from the environment and speaks HTTPS to the agent, verifying its certificate', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'consul-ca-'));
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    process.env.ATTACHE_TEST_CONSUL_TOKEN = readToken;
    const host = new Host();
    host.inputs = [resolver(`127.0.0.1:${agent.httpsPort}`), mapping('pay', 'pay')];
    const source = new ConsulSource({
      config: {
        waitSeconds: 30,
        backoff: { initialMs: 50, maxMs: 200 },
        token: { env: 'ATTACHE_TEST_CONSUL_TOKEN' },
        tls: { caFile: join(dir, 'ca.pem'), serverName: 'consul.test' },
      },
      logger: silent,
      store: host,
      inputs: host,
      baseDir: dir,
    });
    try {
      await source.start();
      expect(host.endpoints('consul/dc1/pay')).toEqual(['127.0.0.41:7000']);
      expect(host.codes('consul/dc1/pay')).toEqual([]);
    } finally {
      await source.stop();
      delete process.env.ATTACHE_TEST_CONSUL_TOKEN;
    }
    // The wrong CA: the TLS handshake fails, which is the agent being unreachable.
    const other = makeCa('another CA');
    writeFileSync(join(dir, 'ca.pem'), other.cert);
    const refused = new Host();
    refused.inputs = host.inputs;
    const bad = new ConsulSource({
      config: { waitSeconds: 30, tls: { caFile: join(dir, 'ca.pem'), serverName: 'consul.test' } },
      logger: silent,
      store: refused,
      inputs: refused,
      baseDir: dir,
    });
    try {
      await bad.start();
      expect(refused.codes('consul/dc1/pay')).toEqual(['CONSUL_AGENT_UNREACHABLE']);
    } finally {
      await bad.stop();
    }
  });
});
