import { concatBytes } from '@attache/envoy';
import { create, type DescMessage, type Registry, toBinary } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';

/** Fully-qualified names of the discovery messages the server speaks. */
export const DiscoveryMessage = {
  Request: 'envoy.service.discovery.v3.DiscoveryRequest',
  Response: 'envoy.service.discovery.v3.DiscoveryResponse',
  DeltaRequest: 'envoy.service.discovery.v3.DeltaDiscoveryRequest',
  DeltaResponse: 'envoy.service.discovery.v3.DeltaDiscoveryResponse',
} as const;

/** proto3-JSON of envoy.config.core.v3.Node, the parts we read. */
export interface NodeJson {
  id?: string;
  cluster?: string;
  metadata?: Record<string, unknown>;
  locality?: Record<string, unknown>;
  userAgentName?: string;
}

export interface ErrorDetailJson {
  code?: number;
  message?: string;
}

/** proto3-JSON of a DiscoveryRequest (SotW). */
export interface DiscoveryRequestJson {
  versionInfo?: string;
  node?: NodeJson;
  resourceNames?: string[];
  typeUrl?: string;
  responseNonce?: string;
  errorDetail?: ErrorDetailJson;
}

/** proto3-JSON of a DeltaDiscoveryRequest. */
export interface DeltaDiscoveryRequestJson {
  node?: NodeJson;
  typeUrl?: string;
  resourceNamesSubscribe?: string[];
  resourceNamesUnsubscribe?: string[];
  initialResourceVersions?: Record<string, string>;
  responseNonce?: string;
  errorDetail?: ErrorDetailJson;
}

/** One resource encoded once per snapshot and shared by every stream that is sent it. */
export interface EncodedResource {
  name: string;
  /** Content hash (XdsResource.version): the delta per-resource version. */
  version: string;
  /** Serialised `DiscoveryResponse{resources:[any]}`: concatenating fragments appends to the repeated field. */
  sotwFragment: Uint8Array;
  /** Serialised `DeltaDiscoveryResponse{resources:[{name, version, resource: any}]}`. */
  deltaFragment: Uint8Array;
}

/**
 * The binary side of the protocol. Responses are assembled from fragments
 * because a protobuf message's encoding is the concatenation of its fields'
 * encodings (repeated fields append): each resource is serialised once per
 * snapshot, not once per stream, which is what lets thousands of streams share
 * a 10,000-route snapshot.
 */
export interface XdsCodec {
  decodeRequest(bytes: Uint8Array): DiscoveryRequestJson;
  decodeDeltaRequest(bytes: Uint8Array): DeltaDiscoveryRequestJson;
  /** Encode one Envoy resource given its proto3-JSON with '@type'. */
  encodeResource(name: string, version: string, json: Record<string, unknown>): EncodedResource;
  /** The same, given that JSON's text (route tables are then encoded from their text's parts). */
  encodeResourceText(name: string, version: string, text: string): EncodedResource;
  sotwResponse(parts: {
    versionInfo: string;
    typeUrl: string;
    nonce: string;
    resources: readonly EncodedResource[];
  }): Uint8Array;
  deltaResponse(parts: {
    systemVersionInfo: string;
    typeUrl: string;
    nonce: string;
    resources: readonly EncodedResource[];
    removedResources: readonly string[];
  }): Uint8Array;
}

function messageDesc(registry: Registry, typeName: string): DescMessage {
  const desc = registry.getMessage(typeName);
  if (!desc) throw new Error(`sink-ads: message type '${typeName}' is missing from the Envoy descriptor set`);
  return desc;
}

/** What the codec needs from @attache/envoy (passed in so that the protocol core stays testable alone). */
export interface EnvoySchema {
  registry: Registry;
  /** Binary → proto3-JSON of a named message. */
  decodeMessage(typeName: string, bytes: Uint8Array): Record<string, unknown>;
  /** A resource's proto3-JSON with '@type' → google.protobuf.Any. */
  toAny(json: Record<string, unknown>): { typeUrl: string; value: Uint8Array };
  /** The same from its JSON text; undefined when it takes the text no faster than toAny (then the text is parsed). */
  toAnyFromText?(text: string): { typeUrl: string; value: Uint8Array } | undefined;
}

/** A codec over the Envoy descriptor set: requests decoded to proto3-JSON, responses assembled from fragments. */
export function createXdsCodec(schema: EnvoySchema): XdsCodec {
  const { registry, decodeMessage, toAny } = schema;
  const response = messageDesc(registry, DiscoveryMessage.Response);
  const deltaResponse = messageDesc(registry, DiscoveryMessage.DeltaResponse);

  const fragments = (name: string, version: string, payload: { typeUrl: string; value: Uint8Array }) => {
    const any = create(AnySchema, payload);
    return {
      name,
      version,
      sotwFragment: toBinary(response, create(response, { resources: [any] })),
      deltaFragment: toBinary(
        deltaResponse,
        create(deltaResponse, { resources: [{ name, version, resource: any }] }),
      ),
    };
  };

  return {
    decodeRequest(bytes) {
      return decodeMessage(DiscoveryMessage.Request, bytes) as DiscoveryRequestJson;
    },
    decodeDeltaRequest(bytes) {
      return decodeMessage(DiscoveryMessage.DeltaRequest, bytes) as DeltaDiscoveryRequestJson;
    },
    encodeResource(name, version, json) {
      return fragments(name, version, toAny(json));
    },
    encodeResourceText(name, version, text) {
      const any = schema.toAnyFromText?.(text) ?? toAny(JSON.parse(text) as Record<string, unknown>);
      return fragments(name, version, any);
    },
    sotwResponse({ versionInfo, typeUrl, nonce, resources }) {
      const envelope = toBinary(response, create(response, { versionInfo, typeUrl, nonce }));
      return concatBytes([...resources.map((r) => r.sotwFragment), envelope]);
    },
    deltaResponse({ systemVersionInfo, typeUrl, nonce, resources, removedResources }) {
      const envelope = toBinary(
        deltaResponse,
        create(deltaResponse, { systemVersionInfo, typeUrl, nonce, removedResources: [...removedResources] }),
      );
      return concatBytes([...resources.map((r) => r.deltaFragment), envelope]);
    },
  };
}
