import {
  decodeMessage,
  envoyRegistry,
  RouteTableEncoder,
  toAny,
  typeNameOfUrl,
  typeUrlOf,
} from '@attache/envoy';
import { createXdsCodec, type EnvoySchema, type XdsCodec } from './xds-codec.js';

let codec: XdsCodec | undefined;

/**
 * Route tables (RouteConfiguration, VHDS VirtualHost) are encoded by parts
 * with a cache per route, so a one-route change re-encodes one route, not the
 * whole table; the other resources whole. From JSON text, a table encoded
 * before is cut into its parts' texts without being parsed.
 */
function routeTablesByParts(): Pick<EnvoySchema, 'toAny' | 'toAnyFromText'> {
  const routeTables = new RouteTableEncoder();
  return {
    toAny(json) {
      const typeUrl = json['@type'];
      if (typeof typeUrl !== 'string') return toAny(json);
      const typeName = typeNameOfUrl(typeUrl);
      if (!RouteTableEncoder.handles(typeName)) return toAny(json);
      return { typeUrl: typeUrlOf(typeName), value: routeTables.encode(json) };
    },
    toAnyFromText(text) {
      const made = routeTables.encodeText(text);
      return made && { typeUrl: typeUrlOf(made.typeName), value: made.bytes };
    },
  };
}

/** The codec over @attache/envoy's descriptor set, built on first use. */
export function defaultXdsCodec(): XdsCodec {
  codec ??= createXdsCodec({ registry: envoyRegistry, decodeMessage, ...routeTablesByParts() });
  return codec;
}
