import { buildEnvoyModel, explainRequest } from '@attache/explain';
import { describe, expect, it } from 'vitest';
import { hostsemToBootstrap } from './hostsem.js';

describe('hostsemToBootstrap', () => {
  const summary = [
    {
      name: 'ambassador-listener-8080',
      port: 8080,
      chains: [
        {
          server_names: ['h2.example.com'],
          transport_protocol: 'tls',
          vhosts: [
            {
              name: 'v',
              routes: [
                // Rendered sorted by action: the unconstrained REDIRECT first.
                {
                  scheme: 'implicit-http',
                  host: 'h2.example.com',
                  path: '/q/',
                  action: 'REDIRECT',
                  action_arg: ' HTTPS',
                },
                {
                  scheme: 'https',
                  host: 'h2.example.com',
                  path: '/q/',
                  action: 'ROUTE',
                  action_arg: ' cluster_q_default',
                },
                {
                  scheme: 'https',
                  host: 'h2.example.com',
                  path: '/q/long/',
                  action: 'ROUTE',
                  action_arg: ' cluster_long_default',
                },
              ],
            },
          ],
        },
        { server_names: null, transport_protocol: '', vhosts: [] },
      ],
    },
  ];
  const model = buildEnvoyModel({ bootstrap: hostsemToBootstrap(summary) });

  it('restores Envoy order: longest path first, the https variant before the unconstrained one', () => {
    const routes = model.listeners[0]!.filterChains[0]!.hcm!.routeConfig!.virtualHosts[0]!.routes;
    expect(routes.map((r) => `${r.match.prefix} ${r.route ? r.route.cluster : 'redirect'}`)).toEqual([
      '/q/long/ cluster_long_default',
      '/q/ cluster_q_default',
      '/q/ redirect',
    ]);
  });

  it('routes TLS requests by SNI; cleartext lands on the chain without virtual hosts', () => {
    const tls = explainRequest(model, {
      url: 'https://h2.example.com:8080/q/x',
      headers: { host: 'h2.example.com' },
    });
    expect(tls.outcomes[0]?.action).toMatchObject({
      kind: 'forward',
      clusters: [{ name: 'cluster_q_default' }],
    });
    const other = explainRequest(model, {
      url: 'http://h2.example.com:8080/q/x',
      headers: { host: 'h2.example.com' },
    });
    expect(other.failure?.stage).toBe('virtual_host');
  });
});
