import { buildEnvoyModel, explainRequest } from '@attache/explain';
import { describe, expect, it } from 'vitest';
import { judgeProbe } from './judge.js';
import type { WireAnswer } from './send-probe.js';

const model = buildEnvoyModel({
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
                    route_config: {
                      name: 'rc',
                      virtual_hosts: [
                        {
                          name: 'v',
                          domains: ['shop.example.com', 'shop.example.com:*'],
                          routes: [
                            { match: { prefix: '/api/' }, route: { cluster: 'api', prefix_rewrite: '/' } },
                            {
                              match: { prefix: '/hdr/' },
                              route: { cluster: 'api' },
                              request_headers_to_add: [{ header: { key: 'x-team', value: 'blue' } }],
                              request_headers_to_remove: ['x-secret'],
                              response_headers_to_remove: ['x-internal'],
                            },
                            { match: { prefix: '/old' }, redirect: { path_redirect: '/new' } },
                            {
                              match: { prefix: '/ping' },
                              direct_response: { status: 200, body: { inline_string: 'pong' } },
                            },
                            {
                              match: { prefix: '/split' },
                              route: {
                                weighted_clusters: {
                                  clusters: [
                                    { name: 'blue', weight: 90 },
                                    { name: 'green', weight: 10 },
                                  ],
                                },
                              },
                            },
                          ],
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

const explain = (path: string, host = 'shop.example.com', port = 8080, authority = host) =>
  explainRequest(model, { url: `http://${host}:${port}${path}`, headers: { host: authority } });

const echo = (
  backend: string,
  path: string,
  host = 'shop.example.com',
  requestHeaders: Record<string, string> = {},
  responseHeaders: Record<string, string> = {},
): WireAnswer => ({
  kind: 'response',
  status: 200,
  headers: { 'x-echo-backend': backend, ...responseHeaders },
  body: JSON.stringify({
    backend,
    path,
    host,
    method: 'GET',
    headers: requestHeaders,
    protocol: 'HTTP/1.1',
    tls: false,
    body: '',
  }),
});
const envoyAnswer = (status: number, headers: Record<string, string> = {}, body = ''): WireAnswer => ({
  kind: 'response',
  status,
  headers,
  body,
});
const refused: WireAnswer = { kind: 'connection-failed', error: 'connect ECONNREFUSED' };
const unmap = (text: string) => text.replace(':41000', ':8080');
const agree = (e: ReturnType<typeof explain>, a: WireAnswer) => judgeProbe(e, a, unmap).agree;

describe('judgeProbe', () => {
  it('wants the right cluster, with the rewritten path and the authority it forwarded', () => {
    const e = explain('/api/items');
    expect(agree(e, echo('api', '/items'))).toBe(true);
    expect(agree(e, echo('other', '/items'))).toBe(false);
    expect(agree(e, echo('api', '/api/items'))).toBe(false);
    expect(agree(e, echo('api', '/items', 'elsewhere'))).toBe(false);
    expect(agree(e, envoyAnswer(503, {}, 'no healthy upstream'))).toBe(false);
    expect(agree(e, refused)).toBe(false);
  });

  it('wants the header changes the route makes, on the request upstream and on the response', () => {
    const e = explain('/hdr/x');
    expect(agree(e, echo('api', '/hdr/x', 'shop.example.com', { 'x-team': 'blue' }))).toBe(true);
    expect(agree(e, echo('api', '/hdr/x', 'shop.example.com', {}))).toBe(false);
    expect(agree(e, echo('api', '/hdr/x', 'shop.example.com', { 'x-team': 'red' }))).toBe(false);
    expect(agree(e, echo('api', '/hdr/x', 'shop.example.com', { 'x-team': 'blue', 'x-secret': '1' }))).toBe(
      false,
    );
    expect(
      agree(e, echo('api', '/hdr/x', 'shop.example.com', { 'x-team': 'blue' }, { 'x-internal': 'y' })),
    ).toBe(false);
    expect(judgeProbe(e, echo('api', '/hdr/x'), unmap).envoy).toContain('request header x-team is missing');
  });

  it('maps the real port back before comparing the authority', () => {
    const e = explain('/api/x', 'shop.example.com', 8080, 'shop.example.com:8080');
    expect(agree(e, echo('api', '/x', 'shop.example.com:41000'))).toBe(true);
    expect(agree(e, echo('api', '/x', 'shop.example.com:41001'))).toBe(false);
  });

  it('accepts any weighted cluster the model gives a share, and no other', () => {
    const e = explain('/split');
    expect(agree(e, echo('blue', '/split'))).toBe(true);
    expect(agree(e, echo('green', '/split'))).toBe(true);
    expect(agree(e, echo('api', '/split'))).toBe(false);
  });

  it('wants the redirect status and Location, the direct response, or a 404 with no upstream', () => {
    expect(agree(explain('/old'), envoyAnswer(301, { location: 'http://shop.example.com/new' }))).toBe(true);
    expect(agree(explain('/old'), envoyAnswer(302, { location: 'http://shop.example.com/new' }))).toBe(false);
    expect(agree(explain('/old'), envoyAnswer(301, { location: 'http://shop.example.com/old' }))).toBe(false);
    expect(agree(explain('/ping'), envoyAnswer(200, {}, 'pong'))).toBe(true);
    expect(agree(explain('/ping'), envoyAnswer(200, {}, 'pang'))).toBe(false);
    expect(agree(explain('/nothing'), envoyAnswer(404))).toBe(true);
    expect(agree(explain('/nothing'), echo('api', '/nothing'))).toBe(false);
    expect(agree(explain('/api/x', 'unknown.example.com'), envoyAnswer(404))).toBe(true);
  });

  it('wants a failed connection where the model refuses it before HTTP', () => {
    const noListener = explain('/api/x', 'shop.example.com', 9999);
    expect(noListener.failure?.stage).toBe('listener');
    expect(agree(noListener, refused)).toBe(true);
    expect(agree(noListener, envoyAnswer(404))).toBe(false);
    expect(agree(noListener, echo('api', '/x'))).toBe(false);
  });
});
