import { envoyRegistry } from '@attache/envoy';
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { readResponseEnvelope } from './xds-envelope.js';

function desc(name: string) {
  const d = envoyRegistry.getMessage(name);
  if (!d) throw new Error(name);
  return d;
}

const any = (value: number[]) => ({ typeUrl: 'type.googleapis.com/x', value: new Uint8Array(value) });

describe('readResponseEnvelope', () => {
  it('reads a SotW response envelope as the full decoder does', () => {
    const message = desc('envoy.service.discovery.v3.DiscoveryResponse');
    const bytes = toBinary(
      message,
      create(message, {
        versionInfo: 'v-1',
        typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        nonce: 'n7',
        resources: [any([1, 2, 3]), any(Array.from({ length: 300 }, (_, i) => i % 256))],
      }),
    );
    expect(readResponseEnvelope(bytes, false)).toMatchObject({
      versionInfo: 'v-1',
      typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
      nonce: 'n7',
      resourceCount: 2,
    });
  });

  it('reads a delta response: names, versions and removals', () => {
    const message = desc('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const bytes = toBinary(
      message,
      create(message, {
        systemVersionInfo: 's-2',
        typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
        nonce: 'ü-nonce',
        resources: [
          { name: 'routes-a', version: 'h1', resource: any([9, 9]) },
          { name: 'routes-b', version: 'h2', resource: any([]) },
        ],
        removedResources: ['gone-1', 'gone-2'],
      }),
    );
    expect(readResponseEnvelope(bytes, true)).toEqual({
      versionInfo: 's-2',
      typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
      nonce: 'ü-nonce',
      resources: [
        { name: 'routes-a', version: 'h1' },
        { name: 'routes-b', version: 'h2' },
      ],
      resourceCount: 2,
      removed: ['gone-1', 'gone-2'],
    });
  });
});
