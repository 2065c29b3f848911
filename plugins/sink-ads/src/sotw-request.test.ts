import { decodeMessage, envoyRegistry } from '@attache/envoy';
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { readSotwRequest } from './sotw-request.js';

const desc = envoyRegistry.getMessage('envoy.service.discovery.v3.DiscoveryRequest')!;
const encode = (init: Record<string, unknown>) => toBinary(desc, create(desc, init));
const full = (bytes: Uint8Array) => decodeMessage('envoy.service.discovery.v3.DiscoveryRequest', bytes);

describe('readSotwRequest', () => {
  it('reads an ACK exactly as the full decoder does, and shares equal name lists', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `cluster-${i}.ns-é`);
    const ack = {
      versionInfo: 'v1',
      resourceNames: names,
      typeUrl: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
      responseNonce: 'a7',
    };
    const bytes = encode(ack);
    const read = readSotwRequest(bytes);
    expect(read).toEqual(full(bytes));
    // Another stream's ACK with the same list (another nonce) gets the same array.
    const other = readSotwRequest(encode({ ...ack, responseNonce: 'b9' }));
    expect(other?.responseNonce).toBe('b9');
    expect(other?.resourceNames).toBe(read?.resourceNames);
  });

  it('reads an empty first request (legacy wildcard) and leaves anything else to the full decoder', () => {
    const first = encode({ typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster' });
    expect(readSotwRequest(first)).toEqual(full(first));
    expect(readSotwRequest(encode({ node: { id: 'n1' }, typeUrl: 'x' }))).toBeUndefined();
    expect(
      readSotwRequest(encode({ typeUrl: 'x', errorDetail: { code: 3, message: 'no' } })),
    ).toBeUndefined();
    expect(readSotwRequest(new Uint8Array([0x08, 0x01]))).toBeUndefined();
  });
});
