import { envoyRegistry } from '@attache/envoy';
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { defaultXdsCodec } from './default-codec.js';
import { readDeltaRequest } from './delta-request.js';

const desc = envoyRegistry.getMessage('envoy.service.discovery.v3.DeltaDiscoveryRequest');
if (!desc) throw new Error('DeltaDiscoveryRequest missing from the descriptor set');
const encode = (fields: Record<string, unknown>) => toBinary(desc, create(desc, fields));

describe('readDeltaRequest (delta ACKs without the decoder)', () => {
  it.each([
    ['an ACK', { typeUrl: 'type.googleapis.com/x.Y', responseNonce: '1a' }],
    [
      'subscription changes',
      {
        typeUrl: 'type.googleapis.com/x.Y',
        resourceNamesSubscribe: ['a', 'rc/ü.example.com'],
        resourceNamesUnsubscribe: ['b'],
        responseNonce: 'z',
      },
    ],
    ['an empty request', {}],
  ])('reads %s as the full decoder does', (_, fields) => {
    const bytes = encode(fields);
    expect(readDeltaRequest(bytes)).toEqual(defaultXdsCodec().decodeDeltaRequest(bytes));
  });

  it.each([
    ['a node', { node: { id: 'n' }, typeUrl: 't' }],
    ['initial versions', { typeUrl: 't', initialResourceVersions: { a: '1' } }],
    ['a NACK', { typeUrl: 't', responseNonce: '1', errorDetail: { code: 3, message: 'no' } }],
  ])('leaves a request with %s to the full decoder', (_, fields) => {
    expect(readDeltaRequest(encode(fields))).toBeUndefined();
  });
});
