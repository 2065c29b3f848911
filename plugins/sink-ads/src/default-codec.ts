import { decodeMessage, envoyRegistry, toAny } from '@attache/envoy';
import { createXdsCodec, type XdsCodec } from './xds-codec.js';

let codec: XdsCodec | undefined;

/** The codec over @attache/envoy's descriptor set, built on first use. */
export function defaultXdsCodec(): XdsCodec {
  codec ??= createXdsCodec({ registry: envoyRegistry, decodeMessage, toAny });
  return codec;
}
