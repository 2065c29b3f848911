import { describe, expect, it } from 'vitest';
import type { ForwardAction } from './actions.js';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';

function config(
  vhost: Record<string, unknown>,
  hcmExtra: Record<string, unknown> = {},
  listenerExtra: Record<string, unknown> = {},
) {
  return buildEnvoyModel({
    bootstrap: {
      static_resources: {
        listeners: [
          {
            name: 'l',
            address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
            filter_chains: [
              {
                filters: [
                  {
                    name: 'envoy.filters.network.http_connection_manager',
                    typed_config: {
                      route_config: { virtual_hosts: [{ name: 'v', domains: ['*'], ...vhost }] },
                      ...hcmExtra,
                    },
                  },
                ],
              },
            ],
            ...listenerExtra,
          },
        ],
        clusters: [
          {
            name: 'up',
            type: 'LOGICAL_DNS',
            load_assignment: {
              endpoints: [
                {
                  lb_endpoints: [
                    {
                      endpoint: { address: { socket_address: { address: 'up.internal', port_value: 443 } } },
                    },
                  ],
                },
              ],
            },
            transport_socket: {
              name: 'envoy.transport_sockets.tls',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
                sni: 'up.internal',
              },
            },
          },
        ],
      },
    },
  });
}

describe('more of Envoy', () => {
  it('normalises the path before matching when told to', () => {
    const routes = [
      { match: { prefix: '/admin/' }, direct_response: { status: 403 } },
      { match: { prefix: '/' }, route: { cluster: 'up' } },
    ];
    const plain = explainRequest(config({ routes }), { url: 'http://h:8080/public/../admin//x' });
    expect(plain.outcomes[0]?.action.kind).toBe('forward');
    const normalised = explainRequest(config({ routes }, { normalize_path: true, merge_slashes: true }), {
      url: 'http://h:8080/public/../admin//x',
    });
    expect(normalised.outcomes[0]?.action).toEqual({ kind: 'direct_response', status: 403 });
    expect(normalised.notes).toContain('path normalised from /public/../admin//x to /admin/x');
  });

  it('redirects cleartext to https on a virtual host that requires TLS', () => {
    const e = explainRequest(
      config({ require_tls: 'ALL', routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }] }),
      {
        url: 'http://h.example.com:8080/a?b',
      },
    );
    expect(e.outcomes[0]?.action).toEqual({
      kind: 'redirect',
      status: 301,
      location: 'https://h.example.com/a?b',
    });
  });

  it('describes TLS origination, auto host rewrite, mirrors and upgrades', () => {
    const e = explainRequest(
      config({
        routes: [
          {
            match: { prefix: '/' },
            route: {
              cluster: 'up',
              auto_host_rewrite: true,
              request_mirror_policies: [
                { cluster: 'up', runtime_fraction: { default_value: { numerator: 25 } } },
              ],
              upgrade_configs: [{ upgrade_type: 'websocket' }],
            },
          },
        ],
      }),
      { url: 'http://h:8080/x' },
    );
    const a = e.outcomes[0]?.action as ForwardAction;
    expect(a.clusters[0]?.target).toBe('LOGICAL_DNS up.internal:443');
    expect(a.clusters[0]?.cluster?.tls?.sni).toBe('up.internal');
    expect(a.authority).toBe('up.internal');
    expect(a.mirrors).toEqual([{ cluster: 'up', target: 'LOGICAL_DNS up.internal:443', fraction: 0.25 }]);
    expect(a.upgrades).toEqual(['websocket']);
  });

  it("reads Emissary's legacy header matchers and numeric redirect codes", () => {
    const model = config({
      routes: [
        {
          match: { prefix: '/', headers: [{ name: ':authority', suffix_match: '.example.com' }] },
          redirect: { host_redirect: 'x.example.com', response_code: 3 },
        },
      ],
    });
    expect(
      explainRequest(model, { url: 'http://a.example.com:8080/', headers: { host: 'a.example.com' } })
        .outcomes[0]?.action,
    ).toEqual({
      kind: 'redirect',
      status: 307,
      location: 'http://x.example.com/',
    });
    expect(explainRequest(model, { url: 'http://a.example.org:8080/' }).failure?.stage).toBe('route');
  });

  it('needs a PROXY protocol header where the listener expects one', () => {
    const model = config(
      { routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }] },
      {},
      { listener_filters: [{ name: 'envoy.filters.listener.proxy_protocol' }] },
    );
    expect(explainRequest(model, { url: 'http://h:8080/' }).failure?.stage).toBe('listener');
    expect(explainRequest(model, { url: 'http://h:8080/', proxyProtocol: true }).failure).toBeUndefined();
  });

  it('warns about regexes Envoy would reject', () => {
    const model = config({ routes: [{ match: { safe_regex: { regex: '/(a' } }, route: { cluster: 'up' } }] });
    expect(model.warnings).toHaveLength(1);
    expect(model.warnings[0]).toContain('regex //(a/ is not valid RE2');
  });
});
