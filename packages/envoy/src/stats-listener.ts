import { type Json, typeUrl } from './lower/common.js';
import { httpConnectionManagerFilterName } from './lower/listener.js';

/** Where Envoy serves its own stats for Prometheus (opt-in): a listener of its own, never the admin. */
export interface BootstrapStats {
  address: string;
  port: number;
}

/** Names in the bootstrap's static_resources; Attaché never generates these (its listeners are 'namespace/name'). */
export const statsListenerName = 'attache_envoy_stats';
export const adminClusterName = 'attache_envoy_admin';

/** The paths served, both rewritten to exactly this admin path. */
export const statsPaths = ['/metrics', '/stats/prometheus'] as const;
const adminStatsPath = '/stats/prometheus';

/**
 * Envoy's /stats/prometheus on a listener of its own, as Emissary serves
 * Envoy's stats at /metrics: a static listener whose only routes are GET
 * with an exact path (/metrics or /stats/prometheus), each rewritten to
 * exactly /stats/prometheus and sent to a cluster on the admin address.
 * Anything else (another path, another method, /quitquitquit, /config_dump,
 * a path that normalises elsewhere) gets a local 404 and never reaches the
 * admin. Paths are normalised and escaped slashes refused before matching.
 */
export function statsListenerResources(
  stats: BootstrapStats,
  admin: { address: string; port: number },
): { listener: Json; cluster: Json } {
  // A fresh array per route: a shared one would come out of a YAML bootstrap as an anchor and alias.
  const getOnly = () => [{ name: ':method', string_match: { exact: 'GET' } }];
  const routes = [
    ...statsPaths.map((path) => ({
      name: `envoy_stats${path.replaceAll('/', '_')}`,
      match: { path, headers: getOnly() },
      route: { cluster: adminClusterName, prefix_rewrite: adminStatsPath, timeout: '10s' },
    })),
    {
      name: 'not_served',
      match: { prefix: '/' },
      direct_response: {
        status: 404,
        body: { inline_string: `only GET ${statsPaths.join(' and ')} are served here\n` },
      },
    },
  ];
  const listener = {
    name: statsListenerName,
    address: { socket_address: { address: stats.address, port_value: stats.port } },
    filter_chains: [
      {
        filters: [
          {
            name: httpConnectionManagerFilterName,
            typed_config: {
              '@type': typeUrl(
                'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
              ),
              stat_prefix: 'attache_envoy_stats',
              normalize_path: true,
              merge_slashes: true,
              path_with_escaped_slashes_action: 'REJECT_REQUEST',
              route_config: {
                name: 'attache_envoy_stats',
                virtual_hosts: [{ name: 'envoy_stats', domains: ['*'], routes }],
              },
              http_filters: [
                {
                  name: 'envoy.filters.http.router',
                  typed_config: { '@type': typeUrl('envoy.extensions.filters.http.router.v3.Router') },
                },
              ],
            },
          },
        ],
      },
    ],
  };
  const cluster = {
    name: adminClusterName,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: adminClusterName,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: admin.address, port_value: admin.port } } } },
          ],
        },
      ],
    },
  };
  return { listener, cluster };
}
