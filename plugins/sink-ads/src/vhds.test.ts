import { type ResourceRef, TypeUrl } from '@attache/core';
import { onDemandFilterName, virtualHostTypeUrl } from '@attache/envoy';
import { xdsSnapshot } from '@attache/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultXdsCodec } from './default-codec.js';
import { type Harness, settle, startHarness, until } from './testdata/fixtures.js';
import type { XdsCodec } from './xds-codec.js';
import type { DeliveryFeedback } from './xds-stream.js';

const VH = virtualHostTypeUrl;
const rcName = 'default/edge/cleartext';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Json = Record<string, unknown>;

/** A lowered-style (snake_case) listener, route table of one virtual host per host, clusters. */
function edge(serial: number, hosts: Record<string, string>): ReturnType<typeof xdsSnapshot> {
  const clusters = [...new Set(Object.values(hosts))].sort();
  return xdsSnapshot({
    serial,
    resources: [
      {
        '@type': TypeUrl.Listener,
        name: 'default/edge',
        address: { socket_address: { address: '127.0.0.1', port_value: 8080 } },
        filter_chains: [
          {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  stat_prefix: 'edge',
                  rds: { route_config_name: rcName, config_source: { ads: {}, resource_api_version: 'V3' } },
                  http_filters: [
                    {
                      name: 'envoy.filters.http.router',
                      typed_config: {
                        '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                      },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
      {
        '@type': TypeUrl.RouteConfiguration,
        name: rcName,
        virtual_hosts: Object.entries(hosts).map(([host, cluster]) => ({
          name: `default/${host}`,
          domains: [host],
          routes: [{ match: { prefix: '/' }, route: { cluster } }],
        })),
      },
      ...clusters.map((name) => ({
        '@type': TypeUrl.Cluster,
        name,
        type: 'STATIC',
        connect_timeout: '1s',
      })),
    ],
  });
}

const vhName = (host: string) => `${rcName}/default%2F${host}`;

function httpFilters(listener: Json | undefined): string[] {
  // The test client decodes to proto3 JSON (camelCase).
  const chain = ((listener ?? {}).filterChains as Json[])[0] as Json;
  const hcm = ((chain.filters as Json[])[0] as Json).typedConfig as Json;
  return (hcm.httpFilters as Json[]).map((f) => String(f.name));
}

describe('VHDS (option vhds)', () => {
  it('serves delta ADS the route table without virtual hosts and each virtual host as a resource; SotW gets the table whole', async () => {
    h = await startHarness({ vhds: true });
    h.server.setSnapshot(edge(1, { 'a.example.com': 'ca', 'b.example.com': 'cb' }));
    const delta = h.client('delta').delta('ads');
    delta.subscribe(TypeUrl.Listener, ['*']);
    delta.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    const listeners = await delta.next(TypeUrl.Listener);
    // Without on-demand updates the listener is as lowered.
    expect(httpFilters(listeners.resources[0]?.json)).toEqual(['envoy.filters.http.router']);
    delta.ack(listeners);
    const routes = await delta.next(TypeUrl.RouteConfiguration);
    expect(routes.resources[0]?.json).toEqual({
      '@type': TypeUrl.RouteConfiguration,
      name: rcName,
      vhds: { configSource: { ads: {}, resourceApiVersion: 'V3' } },
    });
    delta.ack(routes);
    // Envoy subscribes to a table's virtual hosts by naming the table.
    delta.subscribe(VH, [rcName]);
    const vhosts = await delta.next(VH);
    expect(vhosts.resources.map((r) => r.name)).toEqual([vhName('a.example.com'), vhName('b.example.com')]);
    expect(vhosts.resources[0]?.json).toEqual({
      '@type': VH,
      name: vhName('a.example.com'),
      domains: ['a.example.com'],
      routes: [{ match: { prefix: '/' }, route: { cluster: 'ca' } }],
    });
    delta.ack(vhosts);

    const sotw = h.client('sotw').sotw('ads');
    sotw.subscribe(TypeUrl.Listener, []);
    sotw.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    const sotwListeners = await sotw.next(TypeUrl.Listener);
    expect(httpFilters(sotwListeners.resources[0]?.json)).toEqual(['envoy.filters.http.router']);
    sotw.ack(sotwListeners);
    const sotwRoutes = await sotw.next(TypeUrl.RouteConfiguration);
    expect(sotwRoutes.resources[0]?.json?.virtualHosts).toHaveLength(2);
    expect(sotwRoutes.resources[0]?.json?.vhds).toBeUndefined();
    sotw.ack(sotwRoutes);

    // One host's routes change: only its virtual host moves, the route table and listener stay.
    h.server.setSnapshot(edge(2, { 'a.example.com': 'ca', 'b.example.com': 'ca' }));
    const changed = await delta.next(VH);
    expect(changed.resources.map((r) => r.name)).toEqual([vhName('b.example.com')]);
    expect(changed.removed).toEqual([]);
    delta.ack(changed);
    // A host removed: its virtual host is removed by name.
    h.server.setSnapshot(edge(3, { 'a.example.com': 'ca' }));
    const removed = await delta.next(VH);
    expect(removed.resources).toEqual([]);
    expect(removed.removed).toEqual([vhName('b.example.com')]);
    delta.ack(removed);
    await new Promise((r) => setTimeout(r, 50));
    const info = h.server.streams().find((s) => s.node?.id === 'delta');
    const pushes = Object.fromEntries((info?.types ?? []).map((t) => [t.typeUrl, t.pushes]));
    expect(pushes).toEqual({ [TypeUrl.Listener]: 1, [TypeUrl.RouteConfiguration]: 1, [VH]: 3 });
  });

  it('answers an on-demand request <table>/<authority> with the matching virtual host carrying the alias, or an empty one', async () => {
    h = await startHarness({ vhds: { onDemand: true } });
    h.server.setSnapshot(edge(1, { 'a.example.com': 'ca', '*.wild.example.com': 'cb' }));
    const delta = h.client().delta('ads');
    delta.subscribe(TypeUrl.Listener, ['*']);
    const listeners = await delta.next(TypeUrl.Listener);
    expect(httpFilters(listeners.resources[0]?.json)).toEqual([
      onDemandFilterName,
      'envoy.filters.http.router',
    ]);
    delta.ack(listeners);
    delta.subscribe(VH, [`${rcName}/x.wild.example.com`]);
    const found = await delta.next(VH);
    expect(found.resources).toEqual([
      expect.objectContaining({
        name: vhName('*.wild.example.com'),
        aliases: [`${rcName}/x.wild.example.com`],
        json: expect.objectContaining({
          domains: ['*.wild.example.com'],
          // Ends with the catch-all 404, so that the on-demand filter never asks for a path it lacks.
          routes: [
            { match: { prefix: '/' }, route: { cluster: 'cb' } },
            { name: 'vhds-no-route', match: { prefix: '/' }, directResponse: { status: 404 } },
          ],
        }),
      }),
    ]);
    delta.ack(found);
    // Envoy asks again for an authority whose virtual host it holds (a path that virtual host
    // lacks): the request waits for an answer naming the alias, so it is answered again.
    delta.subscribe(VH, [`${rcName}/x.wild.example.com`]);
    const again = await delta.next(VH);
    expect(again.resources.map((r) => [r.name, r.aliases])).toEqual([
      [vhName('*.wild.example.com'), [`${rcName}/x.wild.example.com`]],
    ]);
    delta.ack(again);
    delta.subscribe(VH, [`${rcName}/nowhere.example.com`]);
    const missing = await delta.next(VH);
    expect(missing.resources).toEqual([
      {
        name: `${rcName}/nowhere.example.com`,
        version: 'unresolved',
        aliases: [`${rcName}/nowhere.example.com`],
      },
    ]);
    delta.ack(missing);
    // The host appears later: the alias is now answered by its virtual host, the empty answer removed.
    h.server.setSnapshot(
      edge(2, { 'a.example.com': 'ca', '*.wild.example.com': 'cb', 'nowhere.example.com': 'ca' }),
    );
    const later = await delta.next(VH);
    expect(later.resources.map((r) => [r.name, r.aliases])).toEqual([
      [vhName('nowhere.example.com'), [`${rcName}/nowhere.example.com`]],
    ]);
    expect(later.removed).toEqual([`${rcName}/nowhere.example.com`]);
  });

  it('lazy: sends exact-domain virtual hosts only on demand, tables with a wildcard domain up front', async () => {
    h = await startHarness({ vhds: { onDemand: true, lazy: true } });
    h.server.setSnapshot(edge(1, { 'a.example.com': 'ca', 'b.example.com': 'cb' }));
    const delta = h.client().delta('ads');
    // Envoy's first VHDS request names nothing (wildcard): answered, with no virtual host.
    delta.subscribe(VH, []);
    const first = await delta.next(VH);
    expect(first.resources).toEqual([]);
    delta.ack(first);
    delta.subscribe(VH, [`${rcName}/b.example.com`]);
    const onDemand = await delta.next(VH);
    expect(onDemand.resources.map((r) => [r.name, r.aliases])).toEqual([
      [vhName('b.example.com'), [`${rcName}/b.example.com`]],
    ]);
    delta.ack(onDemand);
    // Only what was asked for follows changes: a change to a.example.com sends nothing.
    h.server.setSnapshot(edge(2, { 'a.example.com': 'cb', 'b.example.com': 'cb' }));
    h.server.setSnapshot(edge(3, { 'a.example.com': 'cb', 'b.example.com': 'ca' }));
    const changed = await delta.next(VH);
    expect(changed.resources.map((r) => r.name)).toEqual([vhName('b.example.com')]);
    delta.ack(changed);
    // A wildcard domain in the table: everything goes up front (Envoy would never ask past it).
    h.server.setSnapshot(edge(4, { 'a.example.com': 'cb', 'b.example.com': 'ca', '*.example.org': 'ca' }));
    const eager = await delta.next(VH);
    expect(eager.resources.map((r) => r.name).sort()).toEqual([
      vhName('*.example.org'),
      vhName('a.example.com'),
    ]);
  });

  it('encodes a whole route table only when a stream that takes it whole asks for it', async () => {
    const codec = defaultXdsCodec();
    const encoded: string[] = [];
    const counting: XdsCodec = {
      ...codec,
      encodeResource(name, version, json) {
        encoded.push(`${String(json['@type']).split('.').at(-1)} ${name}`);
        return codec.encodeResource(name, version, json);
      },
    };
    h = await startHarness({ vhds: true, codec: counting });
    h.server.setSnapshot(edge(1, { 'a.example.com': 'ca' }));
    expect(encoded.filter((e) => e.startsWith('RouteConfiguration'))).toEqual([
      `RouteConfiguration ${rcName}`, // the VHDS form, for delta streams
    ]);
    const delta = h.client('delta').delta('ads');
    delta.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    delta.ack(await delta.next(TypeUrl.RouteConfiguration));
    expect(encoded.filter((e) => e.startsWith('RouteConfiguration'))).toHaveLength(1);
    const sotw = h.client('sotw').sotw('ads');
    sotw.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    const whole = await sotw.next(TypeUrl.RouteConfiguration);
    expect(whole.resources[0]?.json?.virtualHosts).toHaveLength(1);
    expect(encoded.filter((e) => e.startsWith('RouteConfiguration'))).toHaveLength(2);
  });

  it('is off by default: delta gets whole route tables and no VirtualHost', async () => {
    h = await startHarness();
    h.server.setSnapshot(edge(1, { 'a.example.com': 'ca' }));
    const delta = h.client().delta('ads');
    delta.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    delta.subscribe(VH, [rcName]);
    const routes = await delta.next(TypeUrl.RouteConfiguration);
    expect(routes.resources[0]?.json?.virtualHosts).toHaveLength(1);
    delta.ack(routes);
    const vh = await delta.next(VH);
    // Nothing to serve: the table name is reported absent, as any unknown name.
    expect(vh.resources).toEqual([]);
    expect(vh.removed).toEqual([rcName]);
  });
});

describe('VHDS: a rejected VirtualHost', () => {
  const ref = (kind: string, name: string): ResourceRef => ({
    apiVersion: 'getambassador.io/v3alpha1',
    kind,
    namespace: 'default',
    name,
  });
  /** The edge snapshot, its table's provenance as lowering gives it (the union over the table). */
  function withProvenance(serial: number, hosts: Record<string, string>) {
    const snapshot = edge(serial, hosts);
    const table = snapshot.resources[TypeUrl.RouteConfiguration]?.[0];
    if (table) {
      table.provenance = [ref('Listener', 'edge'), ...Object.keys(hosts).map((host) => ref('Host', host))];
      // Each virtual host's route named after its Mapping, as the http plugin names them.
      for (const vh of table.resource.virtual_hosts as Json[])
        (vh.routes as Json[])[0]!.name = `default/${String(vh.name).slice('default/'.length)}-api`;
      table.provenance.push(...Object.keys(hosts).map((host) => ref('Mapping', `${host}-api`)));
    }
    return snapshot;
  }

  it("feedback gets the virtual host's own provenance and its version in any snapshot; an ACK of another virtual host does not clear it", async () => {
    const rejected: Parameters<DeliveryFeedback['rejected']>[0][] = [];
    const accepted: string[] = [];
    const feedback: DeliveryFeedback = {
      rejected: (e) => rejected.push(e),
      accepted: (e) => accepted.push(e.typeUrl),
    };
    h = await startHarness({ vhds: true, feedback });
    const first = withProvenance(1, { a: 'ca', b: 'cb' });
    h.server.setSnapshot(first);
    const delta = h.client('delta').delta('ads');
    delta.subscribe(TypeUrl.Listener, ['*']);
    delta.ack(await delta.next(TypeUrl.Listener));
    delta.subscribe(TypeUrl.RouteConfiguration, [rcName]);
    delta.ack(await delta.next(TypeUrl.RouteConfiguration));
    delta.subscribe(VH, [rcName]);
    const vhosts = await delta.next(VH);
    delta.nack(vhosts, `${vhName('a')}: file does not exist`);
    await until(() => rejected.length === 1, 'the rejection');
    const event = rejected[0]!;
    expect(event.typeUrl).toBe(VH);
    expect(event.resourceNames).toEqual([vhName('a')]);
    const derived = event.derived?.[vhName('a')];
    expect(derived?.provenance.map((r) => `${r.kind} ${r.name}`)).toEqual(['Host a', 'Mapping a-api']);
    const sent = event.versions?.[vhName('a')];
    expect(sent).toBeDefined();
    expect(derived?.versionIn(first)).toBe(sent);
    // Another virtual host of the table changes: the refused one keeps its version.
    const second = withProvenance(2, { a: 'ca', b: 'ca' });
    expect(derived?.versionIn(second)).toBe(sent);
    // The refused one changes: another version; it is gone: none.
    expect(derived?.versionIn(withProvenance(3, { a: 'cb', b: 'ca' }))).not.toBe(sent);
    expect(derived?.versionIn(withProvenance(4, { b: 'ca' }))).toBeUndefined();

    accepted.length = 0;
    h.server.setSnapshot(second);
    const changed = await delta.next(VH);
    expect(changed.resources.map((r) => r.name)).toEqual([vhName('b')]);
    delta.ack(changed);
    await settle();
    // The client took b, but a is still refused (parked, not sent again): no "accepted".
    expect(accepted).not.toContain(VH);
    // a changes: sent again, ACKed, and now the type is accepted.
    h.server.setSnapshot(withProvenance(3, { a: 'cb', b: 'ca' }));
    const fixed = await delta.next(VH);
    expect(fixed.resources.map((r) => r.name)).toEqual([vhName('a')]);
    delta.ack(fixed);
    await until(() => accepted.includes(VH), 'the acceptance');
  });
});
