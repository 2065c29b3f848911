import { describe, expect, it } from 'vitest';
import type { ForwardAction } from './actions.js';
import { buildEnvoyModel } from './build-model.js';
import { explainRequest } from './explain.js';

// Found by the conformance runner's real-Envoy mode (oracle case 37, a Mapping with
// remove_response_headers: [server]): Envoy 1.39 still answered with server: envoy.
function modelWith(hcmExtra: Record<string, unknown>, routeExtra: Record<string, unknown>) {
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
                      '@type':
                        'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                      stat_prefix: 'x',
                      ...hcmExtra,
                      route_config: {
                        name: 'rc',
                        virtual_hosts: [
                          {
                            name: 'v',
                            domains: ['*'],
                            routes: [{ match: { prefix: '/' }, route: { cluster: 'c' }, ...routeExtra }],
                          },
                        ],
                      },
                      http_filters: [{ name: 'envoy.filters.http.router' }],
                    },
                  },
                ],
              },
            ],
          },
        ],
        clusters: [],
      },
    },
  });
}

const explain = (hcmExtra: Record<string, unknown>, routeExtra: Record<string, unknown>) => {
  const e = explainRequest(modelWith(hcmExtra, routeExtra), { url: 'http://h:8080/' });
  return { action: e.outcomes[0]?.action as ForwardAction, notes: e.notes };
};

describe('the server response header', () => {
  const removes = { response_headers_to_remove: ['server', 'x-powered-by'] };
  const adds = {
    response_headers_to_add: [
      { header: { key: 'server', value: 'shop' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
  };

  it('cannot be removed by a route unless the connection manager passes it through', () => {
    const byDefault = explain({}, removes);
    expect(byDefault.action.responseHeadersToRemove).toEqual(['x-powered-by']);
    expect(byDefault.notes.join('\n')).toContain('clients still get server: envoy');
    expect(
      explain({ server_header_transformation: 'APPEND_IF_ABSENT', server_name: 'edge' }, removes).notes.join(
        '\n',
      ),
    ).toContain('clients still get server: edge');
    expect(
      explain({ server_header_transformation: 'PASS_THROUGH' }, removes).action.responseHeadersToRemove,
    ).toEqual(['server', 'x-powered-by']);
  });

  it('is overwritten by the connection manager by default, kept when only appended if absent', () => {
    expect(explain({}, adds).action.responseHeadersToAdd).toEqual([]);
    expect(
      explain({ server_header_transformation: 'APPEND_IF_ABSENT' }, adds).action.responseHeadersToAdd.map(
        (h) => h.value,
      ),
    ).toEqual(['shop']);
  });
});
