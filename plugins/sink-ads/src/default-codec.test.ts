import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { defaultXdsCodec } from './default-codec.js';

describe('the default codec from JSON text', () => {
  it('encodes a resource from its text to the bytes it gives for the parsed object: route tables and other types', () => {
    const codec = defaultXdsCodec();
    const cluster = {
      '@type': TypeUrl.Cluster,
      name: 'svc',
      connect_timeout: '3s',
      type: 'STRICT_DNS',
      load_assignment: {
        cluster_name: 'svc',
        endpoints: [
          {
            lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'svc', port_value: 80 } } } }],
          },
        ],
      },
    };
    const table = (cluster: string) => ({
      '@type': TypeUrl.RouteConfiguration,
      name: 'codec-text',
      virtual_hosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: [
            { match: { prefix: '/a/' }, route: { cluster } },
            { match: { prefix: '/b/' }, route: { cluster: 'b' } },
          ],
        },
      ],
    });
    // The route table twice: first seen (parsed whole), then cut into parts.
    for (const resource of [cluster, table('a'), table('a2')]) {
      const fromText = codec.encodeResourceText(resource.name, 'v', JSON.stringify(resource));
      const fromObject = codec.encodeResource(resource.name, 'v', resource);
      expect(
        Buffer.from(fromText.sotwFragment).equals(Buffer.from(fromObject.sotwFragment)),
        resource.name,
      ).toBe(true);
      expect(
        Buffer.from(fromText.deltaFragment).equals(Buffer.from(fromObject.deltaFragment)),
        resource.name,
      ).toBe(true);
    }
    const any = codec.encodeResourceText('codec-text', 'v', JSON.stringify(table('a3'))).sotwFragment;
    expect(
      Buffer.from(any).includes(Buffer.from('type.googleapis.com/envoy.config.route.v3.RouteConfiguration')),
    ).toBe(true);
  });
});
