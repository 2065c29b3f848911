/**
 * Emissary's `hostsem-*-expected.json` (cmd/entrypoint tests) is not Envoy
 * configuration but a rendered summary: per listener and chain, per virtual
 * host, each route's scheme, prefix and action (ROUTE to a cluster name, or
 * REDIRECT to HTTPS). This turns it back into the Envoy configuration it
 * summarises, so the same probes can run against it. What the summary leaves
 * out (rewrites, timeouts, certificates, cluster targets) cannot be compared:
 * such cases compare coarse outcomes only.
 */
interface HostsemRoute {
  scheme: string;
  host: string;
  path: string;
  authority?: string;
  authorityMatch?: string;
  action: string;
  action_arg: string;
}

interface HostsemListener {
  name: string;
  port: number;
  chains: Array<{
    server_names: string[] | null;
    transport_protocol: string;
    vhosts: Array<{ name: string; routes: HostsemRoute[] }>;
  }>;
}

export function hostsemToBootstrap(summary: unknown): unknown {
  const listeners = (summary as HostsemListener[]).map((l) => {
    const anyTls = l.chains.some((c) => c.transport_protocol === 'tls');
    return {
      name: l.name,
      // Emissary's readiness listener is the only one on 8006, bound to loopback.
      address: { socket_address: { address: l.port === 8006 ? '127.0.0.1' : '0.0.0.0', port_value: l.port } },
      ...(anyTls ? { listener_filters: [{ name: 'envoy.filters.listener.tls_inspector' }] } : {}),
      filter_chains: l.chains.map((c) => ({
        filter_chain_match: {
          ...(c.server_names ? { server_names: c.server_names } : {}),
          ...(c.transport_protocol ? { transport_protocol: c.transport_protocol } : {}),
        },
        ...(c.transport_protocol === 'tls'
          ? {
              transport_socket: {
                name: 'envoy.transport_sockets.tls',
                typed_config: { common_tls_context: {} },
              },
            }
          : {}),
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              // Emissary's defaults on every XFP listener.
              use_remote_address: true,
              route_config: {
                virtual_hosts: c.vhosts.map((vh) => ({
                  name: vh.name,
                  domains: [vh.routes[0]?.host ?? '*'],
                  routes: inEnvoyOrder(vh.routes).map(hostsemRoute),
                })),
              },
            },
          },
        ],
      })),
    };
  });
  return { static_resources: { listeners, clusters: [] } };
}

function hostsemRoute(r: HostsemRoute): unknown {
  const headers: unknown[] = [];
  if (r.scheme === 'https' || r.scheme === 'http')
    headers.push({ name: 'x-forwarded-proto', string_match: { exact: r.scheme } });
  if (r.authorityMatch) headers.push({ name: ':authority', string_match: { exact: r.authorityMatch } });
  const match = { prefix: r.path, ...(headers.length > 0 ? { headers } : {}) };
  if (r.action === 'REDIRECT') return { match, redirect: { https_redirect: true } };
  return { match, route: { cluster: r.action_arg.trim() } };
}

/**
 * The rendered summary lists routes sorted by action and scheme, not in
 * Envoy's order. Emissary's order is longest path first (its default
 * precedence, and these fixtures set none), and within one Mapping the
 * `x-forwarded-proto: https` variant before the unconstrained one.
 */
function inEnvoyOrder(routes: HostsemRoute[]): HostsemRoute[] {
  const rank = (r: HostsemRoute) => (r.scheme === 'implicit-http' ? 1 : 0);
  return routes
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.path.length - a.r.path.length || rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}
