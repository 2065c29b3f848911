import {
  decodeMessage,
  envoyRegistry,
  RouteTableEncoder,
  toAny,
  typeNameOfUrl,
  typeUrlOf,
} from '@attache/envoy';
import { createXdsCodec, type XdsCodec } from './xds-codec.js';

let codec: XdsCodec | undefined;

/**
 * Route tables (RouteConfiguration, VHDS VirtualHost) are encoded by parts
 * with a cache per route, so a one-route change re-encodes one route, not the
 * whole table; the other resources whole.
 */
function routeTablesByParts(): (json: Record<string, unknown>) => { typeUrl: string; value: Uint8Array } {
  const routeTables = new RouteTableEncoder();
  return (json) => {
    const typeUrl = json['@type'];
    if (typeof typeUrl !== 'string') return toAny(json);
    const typeName = typeNameOfUrl(typeUrl);
    if (!RouteTableEncoder.handles(typeName)) return toAny(json);
    return { typeUrl: typeUrlOf(typeName), value: routeTables.encode(json) };
  };
}

/** The codec over @attache/envoy's descriptor set, built on first use. */
export function defaultXdsCodec(): XdsCodec {
  codec ??= createXdsCodec({ registry: envoyRegistry, decodeMessage, toAny: routeTablesByParts() });
  return codec;
}
