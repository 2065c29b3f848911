import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, encodeResource, toAny } from './encode.js';

const cluster = {
  '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  name: 'quote',
  type: 'EDS',
  connect_timeout: '1.5s',
  eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'default/quote' },
};

describe('encoding', () => {
  it('round-trips a resource through binary', () => {
    const bytes = encodeResource(cluster);
    expect(bytes.length).toBeGreaterThan(10);
    expect(decodeMessage('envoy.config.cluster.v3.Cluster', bytes)).toEqual({
      name: 'quote',
      type: 'EDS',
      connectTimeout: '1.500s',
      edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' }, serviceName: 'default/quote' },
    });
  });

  it('packs a resource as an Any with its type URL', () => {
    const any = toAny(cluster);
    expect(any.typeUrl).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster');
    expect(any.value).toEqual(encodeResource(cluster));
  });

  it('encodes and decodes discovery messages for the ADS server', () => {
    const request = {
      version_info: '3',
      node: { id: 'envoy-1', cluster: 'edge' },
      resource_names: ['a', 'b'],
      type_url: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      response_nonce: 'n1',
      error_detail: { code: 3, message: 'bad' },
    };
    const decoded = decodeMessage(
      'envoy.service.discovery.v3.DiscoveryRequest',
      encodeMessage('envoy.service.discovery.v3.DiscoveryRequest', request),
    );
    expect(decoded).toEqual({
      versionInfo: '3',
      node: { id: 'envoy-1', cluster: 'edge' },
      resourceNames: ['a', 'b'],
      typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      responseNonce: 'n1',
      errorDetail: { code: 3, message: 'bad' },
    });
    const response = encodeMessage('envoy.service.discovery.v3.DiscoveryResponse', {
      versionInfo: '1',
      typeUrl: cluster['@type'],
      resources: [cluster],
      nonce: 'x',
    });
    expect(decodeMessage('envoy.service.discovery.v3.DiscoveryResponse', response)).toMatchObject({
      resources: [{ '@type': cluster['@type'], name: 'quote' }],
    });
  });

  it('throws for an unknown type (a programmer error)', () => {
    expect(() => encodeMessage('envoy.config.cluster.v3.Nope', {})).toThrow(/unknown message type/);
  });
});
