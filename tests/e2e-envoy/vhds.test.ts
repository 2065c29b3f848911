import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttacheProcess,
  EchoServer,
  EnvoyProcess,
  edgeSkipReason,
  freePorts,
  host,
  listener,
  mapping,
  type Obj,
  request,
  resourceDir,
  writeResources,
} from './edge.js';
import { expectNoRejectedUpdates } from './feature-traffic.js';

/**
 * VHDS on a real Envoy: `serve` with the ADS sink's `vhds: { onDemand: true }`
 * and a delta bootstrap. Envoy takes the cleartext route table as a
 * RouteConfiguration without virtual hosts plus one VirtualHost per Host; a
 * one-Mapping change moves one VirtualHost (Envoy's own log and stats, and the
 * bytes the sink sent); a Host added while Envoy runs is routed, a removed one
 * is gone; a request for an unknown authority goes through an on-demand request
 * and is answered 404; after a control plane restart Envoy keeps serving and
 * takes new changes.
 */
const skip = edgeSkipReason('e2e-envoy vhds');
if (skip) console.warn(skip);

const hosts = 12;
const mappingsPerHost = 5;
const hostname = (i: number) => `h${i}.example.com`;
const vhType = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const rcType = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

describe.skipIf(skip !== undefined)('e2e-envoy: VHDS (virtual hosts over delta ADS, on demand)', () => {
  let app: EchoServer;
  let attache: AttacheProcess;
  let envoy: EnvoyProcess;
  let port: number;
  const resources = resourceDir();

  function hostFile(i: number, prefix = (j: number) => `/m${j}/`): Obj[] {
    return [
      host(`h${i}`, { hostname: hostname(i), requestPolicy: { insecure: { action: 'Route' } } }),
      ...Array.from({ length: mappingsPerHost }, (_, j) =>
        mapping(`h${i}-m${j}`, { hostname: hostname(i), prefix: prefix(j), service: app.address }),
      ),
    ];
  }

  const get = (authority: string, path: string) =>
    request(port, path, { host: authority, timeoutMs: 5_000 }).catch((e: Error) => ({
      status: -1,
      headers: {},
      body: e.message,
    }));

  async function until(what: string, check: () => Promise<boolean>): Promise<void> {
    await envoy.waitFor(check, { what, timeoutMs: 20_000, intervalMs: 100 });
  }

  /** attache_xds_sent_bytes_total by type (delta), from the admin server's /metrics. */
  async function sentBytes(): Promise<Record<string, number>> {
    const text = String((await attache.api('/metrics')).body);
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^attache_xds_sent_bytes_total\{type="([^"]+)",variant="delta"\} (\d+)/.exec(line);
      if (m?.[1] && m[2]) out[m[1]] = Number(m[2]);
    }
    return out;
  }

  /** Envoy's own count of VHDS and RDS updates it applied for the cleartext table. */
  async function updates(): Promise<{ vhds: number; rds: number }> {
    const stats = await envoy.stats('update_success');
    let vhds = 0;
    let rds = 0;
    for (const [name, value] of stats) {
      if (/^http\.[^.]+\.rds\.vhds\..*\.update_success$/.test(name)) vhds += value;
      else if (/^http\.[^.]+\.rds\..*\.update_success$/.test(name)) rds += value;
    }
    return { vhds, rds };
  }

  /** The route table Envoy holds (its RDS part and the virtual hosts VHDS added), from config_dump. */
  async function routeTable(): Promise<{ vhds: unknown; virtualHosts: Obj[] }> {
    const dump = await envoy.configDump();
    const routes = dump.configs.find(
      (c) => c['@type'] === 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
    ) as Obj;
    const dynamic = (routes.dynamic_route_configs as Obj[])[0] as Obj;
    const config = dynamic.route_config as Obj;
    return { vhds: config.vhds, virtualHosts: (config.virtual_hosts as Obj[]) ?? [] };
  }

  /** The lines where Envoy says what a VHDS update carried. */
  const vhdsLog = () =>
    envoy
      .logs()
      .split('\n')
      .filter((l) => l.includes(`Delta config for ${vhType} accepted`));

  async function streamInfo(typeUrl: string): Promise<{ subscribed: string[]; resources: number }> {
    const body = (await attache.api('/api/streams')).body as {
      streams: Array<{ types: Array<{ typeUrl: string; subscribed: string[]; resources: number }> }>;
    };
    const type = body.streams[0]?.types.find((t) => t.typeUrl === typeUrl);
    return { subscribed: type?.subscribed ?? [], resources: type?.resources ?? -1 };
  }

  beforeAll(async () => {
    app = await EchoServer.start({ name: 'app' });
    [port] = (await freePorts(1)) as [number];
    writeResources(resources.dir, 'listener.yaml', [listener('http', port)]);
    for (let i = 0; i < hosts; i++) writeResources(resources.dir, `h${i}.yaml`, hostFile(i));
    attache = await AttacheProcess.start({ resources: resources.dir, vhds: { onDemand: true } });
    envoy = await EnvoyProcess.start({
      bootstrap: attache.bootstrapPath,
      name: 'vhds-envoy',
      // Envoy says at debug level how many resources each delta update added and removed.
      extraArgs: ['--component-log-level', 'config:debug'],
    });
    await until('every Host routed', async () => {
      const all = await Promise.all(Array.from({ length: hosts }, (_, i) => get(hostname(i), '/m0/x')));
      return all.every((r) => r.status === 200);
    });
  }, 90_000);

  afterAll(async () => {
    await envoy?.stop();
    await attache?.stop();
    await app?.close();
    resources.remove();
  });

  it('Envoy holds the table as VHDS: vhds over ADS in RDS, every Host a VirtualHost, each routed', async () => {
    const table = await routeTable();
    expect(table.vhds).toEqual({ config_source: { ads: {}, resource_api_version: 'V3' } });
    const names = table.virtualHosts.map((vh) => String(vh.name));
    expect(names).toHaveLength(hosts);
    for (let i = 0; i < hosts; i++) expect(names.some((n) => n.endsWith(`/default%2Fh${i}`))).toBe(true);
    // The RDS resource itself carries none: every virtual host came as a VirtualHost resource.
    const vh = await streamInfo(vhType);
    expect(vh.subscribed).toContain('*');
    expect(vh.resources).toBe(hosts);
    for (let i = 0; i < hosts; i++) {
      const r = await get(hostname(i), `/m${i % mappingsPerHost}/x`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).path).toBe('/x');
    }
    // A path no Mapping matches is a plain 404 (the catch-all ends every virtual host, so the
    // on-demand filter does not ask the control plane for a virtual host Envoy holds).
    expect((await get(hostname(0), '/nothing-here')).status).toBe(404);
    await expectNoRejectedUpdates(envoy);
  });

  it('a one-Mapping change reaches Envoy as one VirtualHost; the route table is not resent', async () => {
    const before = { updates: await updates(), bytes: await sentBytes(), log: vhdsLog().length };
    const initialVhBytes = before.bytes.VirtualHost ?? 0;
    expect(initialVhBytes).toBeGreaterThan(0);
    writeResources(
      resources.dir,
      'h3.yaml',
      hostFile(3, (j) => (j === 0 ? '/changed/' : `/m${j}/`)),
    );
    await until(
      'the changed Mapping routed',
      async () => (await get(hostname(3), '/changed/x')).status === 200,
    );
    expect((await get(hostname(3), '/m0/x')).status).toBe(404);
    const after = { updates: await updates(), bytes: await sentBytes(), log: vhdsLog() };
    // Envoy applied one VHDS update carrying one virtual host, and no RDS update.
    expect(after.updates.vhds - before.updates.vhds).toBe(1);
    expect(after.updates.rds).toBe(before.updates.rds);
    expect(after.log.slice(before.log)).toEqual([
      expect.stringContaining('accepted with 1 resources added, 0 removed'),
    ]);
    // On the wire: about one virtual host's bytes (a twelfth of the first delivery), no RouteConfiguration.
    const sent = (after.bytes.VirtualHost ?? 0) - initialVhBytes;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan((initialVhBytes / hosts) * 2);
    expect(after.bytes.RouteConfiguration).toBe(before.bytes.RouteConfiguration);
    // Every other Host still routes.
    for (const i of [0, 5, 11]) expect((await get(hostname(i), '/m1/x')).status).toBe(200);
  });

  it('an unknown authority is asked for on demand and answered 404; a Host added while Envoy runs is reachable', async () => {
    const authority = 'late.example.com';
    expect((await get(authority, '/m0/x')).status).toBe(404);
    // Envoy's on-demand filter asked for <route table>/late.example.com: the sink answered.
    const vh = await streamInfo(vhType);
    expect(vh.subscribed.some((name) => name.endsWith(`/${authority}`))).toBe(true);
    writeResources(resources.dir, 'late.yaml', [
      host('late', { hostname: authority, requestPolicy: { insecure: { action: 'Route' } } }),
      mapping('late-m0', { hostname: authority, prefix: '/m0/', service: app.address }),
    ]);
    await until('the added Host routed', async () => (await get(authority, '/m0/x')).status === 200);
    expect((await routeTable()).virtualHosts).toHaveLength(hosts + 1);
  });

  it('a Host removed is removed from Envoy by name', async () => {
    const log = vhdsLog().length;
    rmSync(join(resources.dir, 'h11.yaml'));
    await until('the removed Host unrouted', async () => (await get(hostname(11), '/m0/x')).status === 404);
    const names = (await routeTable()).virtualHosts.map((vh) => String(vh.name));
    expect(names.some((n) => n.endsWith('/default%2Fh11'))).toBe(false);
    expect(names).toHaveLength(hosts);
    expect(vhdsLog().slice(log)).toContainEqual(expect.stringContaining('0 resources added, 1 removed'));
  });

  it('after a control plane restart, Envoy keeps serving and takes the next change', async () => {
    const { adsPort, adminPort } = attache;
    await attache.kill();
    // Envoy serves what it holds while the control plane is down.
    expect((await get(hostname(0), '/m0/x')).status).toBe(200);
    attache = await AttacheProcess.start({
      resources: resources.dir,
      adsPort,
      adminPort,
      vhds: { onDemand: true },
    });
    let seen: unknown;
    await until('Envoy reconnected', async () => {
      // Every virtual host, and the empty answers to the on-demand requests it made before (h11).
      const info = await streamInfo(vhType);
      seen = info;
      return info.subscribed.includes('*') && info.resources >= hosts;
    }).catch((e: Error) => {
      throw new Error(`${e.message.split('\n')[0]}; VirtualHost stream: ${JSON.stringify(seen)}`);
    });
    expect((await get(hostname(1), '/m2/x')).status).toBe(200);
    writeResources(
      resources.dir,
      'h1.yaml',
      hostFile(1, (j) => (j === 2 ? '/after-restart/' : `/m${j}/`)),
    );
    await until(
      'the change after the restart routed',
      async () => (await get(hostname(1), '/after-restart/x')).status === 200,
    );
    expect((await get(hostname(0), '/m0/x')).status).toBe(200);
    await expectNoRejectedUpdates(envoy);
  });
});

/**
 * Lazy on-demand (`vhds: { onDemand: true, lazy: true }`): a table whose virtual
 * hosts all have exact domains is not sent up front; the real Envoy asks for each
 * virtual host when a request first names its authority, and gets it.
 */
describe.skipIf(skip !== undefined)('e2e-envoy: VHDS lazy on-demand virtual hosts', () => {
  let app: EchoServer;
  let attache: AttacheProcess;
  let envoy: EnvoyProcess;
  let port: number;
  const resources = resourceDir();
  const routed = (name: string, authority: string): Obj[] => [
    host(name, { hostname: authority, requestPolicy: { insecure: { action: 'Route' } } }),
    mapping(`${name}-m`, { hostname: authority, prefix: '/app/', service: app.address }),
  ];
  const get = (authority: string) =>
    request(port, '/app/x', { host: authority, timeoutMs: 5_000 }).catch((e: Error) => ({
      status: -1,
      headers: {},
      body: e.message,
    }));
  async function virtualHostNames(): Promise<string[]> {
    const dump = await envoy.configDump();
    const routes = dump.configs.find(
      (c) => c['@type'] === 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
    ) as Obj;
    const config = ((routes.dynamic_route_configs as Obj[])[0] as Obj).route_config as Obj;
    return ((config.virtual_hosts as Obj[]) ?? []).map((vh) => String(vh.name));
  }

  beforeAll(async () => {
    app = await EchoServer.start({ name: 'app' });
    [port] = (await freePorts(1)) as [number];
    writeResources(resources.dir, 'edge.yaml', [
      listener('http', port),
      ...routed('one', 'one.example.com'),
      ...routed('two', 'two.example.com'),
    ]);
    attache = await AttacheProcess.start({ resources: resources.dir, vhds: { onDemand: true, lazy: true } });
    envoy = await EnvoyProcess.start({ bootstrap: attache.bootstrapPath, name: 'vhds-lazy-envoy' });
    await envoy.waitFor(async () => (await envoy.dynamicNames()).listeners.length > 0, {
      what: 'the listener',
    });
  }, 90_000);

  afterAll(async () => {
    await envoy?.stop();
    await attache?.stop();
    await app?.close();
    resources.remove();
  });

  it('Envoy starts with no virtual host and gets each one when a request first names it', async () => {
    expect(await virtualHostNames()).toEqual([]);
    const first = await get('one.example.com');
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body).path).toBe('/x');
    const names = await virtualHostNames();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/\/default%2Fone$/);
    expect((await get('two.example.com')).status).toBe(200);
    expect(await virtualHostNames()).toHaveLength(2);
  });

  it('a Host added while Envoy runs is fetched on demand; an edit reaches Envoy; a removed Host answers 404', async () => {
    writeResources(resources.dir, 'late.yaml', routed('late', 'late.example.com'));
    await envoy.waitFor(async () => (await get('late.example.com')).status === 200, {
      what: 'the added Host, on demand',
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    expect((await virtualHostNames()).some((n) => n.endsWith('/default%2Flate'))).toBe(true);
    // Envoy now follows that virtual host: an edit to its Mapping arrives without a request.
    writeResources(resources.dir, 'late.yaml', [
      host('late', { hostname: 'late.example.com', requestPolicy: { insecure: { action: 'Route' } } }),
      mapping('late-m', { hostname: 'late.example.com', prefix: '/moved/', service: app.address }),
    ]);
    await envoy.waitFor(
      async () =>
        (await request(port, '/moved/x', { host: 'late.example.com' }).catch(() => ({ status: -1 })))
          .status === 200,
      { what: 'the edited Mapping', timeoutMs: 20_000, intervalMs: 200 },
    );
    rmSync(join(resources.dir, 'late.yaml'));
    await envoy.waitFor(
      async () =>
        (await request(port, '/moved/x', { host: 'late.example.com' }).catch(() => ({ status: -1 })))
          .status === 404,
      {
        what: 'the removed Host answering 404',
        timeoutMs: 20_000,
        intervalMs: 200,
      },
    );
    expect((await virtualHostNames()).some((n) => n.endsWith('/default%2Flate'))).toBe(false);
    await expectNoRejectedUpdates(envoy);
  });
});
