import { TypeUrl } from '@attache/core';
import { XdsTestClient, xdsSnapshot } from '@attache/testkit';
import type { Snapshot } from '@attache/core';
import { createXdsServer, type XdsServer, type XdsServerOptions } from '../xds-server.js';

export const T = TypeUrl;

export function cluster(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@type': TypeUrl.Cluster,
    name,
    type: 'EDS',
    edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
    connectTimeout: '5s',
    ...extra,
  };
}

export function endpoints(name: string, port: number): Record<string, unknown> {
  return {
    '@type': TypeUrl.ClusterLoadAssignment,
    clusterName: name,
    endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: port } } } }] }],
  };
}

export function listener(name: string, routeName: string): Record<string, unknown> {
  return {
    '@type': TypeUrl.Listener,
    name,
    address: { socketAddress: { address: '0.0.0.0', portValue: 8080 } },
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typedConfig: {
              '@type':
                'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              statPrefix: name,
              rds: { routeConfigName: routeName, configSource: { ads: {}, resourceApiVersion: 'V3' } },
              httpFilters: [
                {
                  name: 'envoy.filters.http.router',
                  typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function routes(name: string, clusters: readonly string[]): Record<string, unknown> {
  return {
    '@type': TypeUrl.RouteConfiguration,
    name,
    virtualHosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: clusters.map((c) => ({ match: { prefix: `/${c}` }, route: { cluster: c } })),
      },
    ],
  };
}

export function secret(name: string): Record<string, unknown> {
  return {
    '@type': TypeUrl.Secret,
    name,
    validationContext: { trustedCa: { inlineString: `ca of ${name}` } },
  };
}

/** A whole configuration: a listener, its routes, and a cluster + endpoints per upstream. */
export function config(
  serial: number,
  upstreams: Record<string, number>,
  options: { group?: string; extra?: Record<string, unknown>[] } = {},
): Snapshot {
  const names = Object.keys(upstreams).sort();
  return xdsSnapshot({
    group: options.group,
    serial,
    resources: [
      listener('edge', 'edge-routes'),
      routes('edge-routes', names),
      ...names.map((n) => cluster(n)),
      ...names.map((n) => endpoints(n, upstreams[n] ?? 0)),
      ...(options.extra ?? []),
    ],
  });
}

export interface Harness {
  server: XdsServer;
  address: string;
  client(nodeId?: string, metadata?: Record<string, unknown>): XdsTestClient;
  close(): Promise<void>;
}

/** An xDS server on 127.0.0.1:0 and a factory of test clients that are all closed with it. */
export async function startHarness(options: XdsServerOptions = {}): Promise<Harness> {
  const server = createXdsServer({ address: '127.0.0.1:0', ...options });
  const port = await server.listen();
  const address = `127.0.0.1:${port}`;
  const clients: XdsTestClient[] = [];
  return {
    server,
    address,
    client(nodeId = 'node-1', metadata) {
      const client = new XdsTestClient({ address, node: { id: nodeId, cluster: 'edge', metadata } });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.close();
      await server.close(1000);
    },
  };
}

/** Poll until `check` holds (server-side state settles asynchronously after a request). */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Let the server process everything already sent (several event-loop turns and a socket round trip). */
export function settle(ms = 150): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
