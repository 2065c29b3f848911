import { describe, expect, it } from 'vitest';
import { buildEnvoyModel } from './build-model.js';

const bootstrapWithAlpn = (alpn: string[]) => ({
  static_resources: {
    listeners: [
      {
        name: 'tls',
        address: { socket_address: { address: '0.0.0.0', port_value: 8443 } },
        filter_chains: [
          {
            filter_chain_match: { server_names: ['a.example.com'] },
            transport_socket: {
              name: 'envoy.transport_sockets.tls',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
                common_tls_context: { alpn_protocols: alpn },
              },
            },
            filters: [],
          },
        ],
      },
    ],
    clusters: [],
  },
});

describe('ALPN in the model', () => {
  it('treats one comma-joined entry like separate entries, as Envoy does', () => {
    const joined = buildEnvoyModel({ bootstrap: bootstrapWithAlpn(['h2,http/1.1']) } as never);
    const split = buildEnvoyModel({ bootstrap: bootstrapWithAlpn(['h2', 'http/1.1']) } as never);
    const alpnOf = (m: unknown) => JSON.stringify(m).match(/"alpn":\[[^\]]*\]/g);
    expect(alpnOf(joined)).toEqual(['"alpn":["h2","http/1.1"]']);
    expect(alpnOf(joined)).toEqual(alpnOf(split));
  });
});
