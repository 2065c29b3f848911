import { envoyRegistry } from '@attache/envoy';
import {
  type DescMessage,
  fromBinary,
  fromJson,
  type JsonValue,
  type Registry,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import * as grpc from '@grpc/grpc-js';
import { readResponseEnvelope } from './xds-envelope.js';

/**
 * A spec-driven xDS test client: SotW and delta, over ADS or the per-type
 * services. Unlike a real client it never ACKs on its own: tests decide when
 * to ACK, NACK, (un)subscribe or send a raw request, and inspect every response.
 */

export type XdsServiceName = 'ads' | 'lds' | 'rds' | 'cds' | 'eds' | 'sds';

const services: Record<XdsServiceName, { path: string; sotw: string; delta: string }> = {
  ads: {
    path: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
    sotw: 'StreamAggregatedResources',
    delta: 'DeltaAggregatedResources',
  },
  lds: {
    path: 'envoy.service.listener.v3.ListenerDiscoveryService',
    sotw: 'StreamListeners',
    delta: 'DeltaListeners',
  },
  rds: { path: 'envoy.service.route.v3.RouteDiscoveryService', sotw: 'StreamRoutes', delta: 'DeltaRoutes' },
  cds: {
    path: 'envoy.service.cluster.v3.ClusterDiscoveryService',
    sotw: 'StreamClusters',
    delta: 'DeltaClusters',
  },
  eds: {
    path: 'envoy.service.endpoint.v3.EndpointDiscoveryService',
    sotw: 'StreamEndpoints',
    delta: 'DeltaEndpoints',
  },
  sds: {
    path: 'envoy.service.secret.v3.SecretDiscoveryService',
    sotw: 'StreamSecrets',
    delta: 'DeltaSecrets',
  },
};

export interface XdsNode {
  id: string;
  cluster?: string;
  metadata?: Record<string, unknown>;
}

/** One resource of a response. `json` is absent when the client was told not to decode (benchmarks). */
export interface XdsReceivedResource {
  name: string;
  /** Delta only: the per-resource version. */
  version?: string;
  json?: Record<string, unknown>;
  /** Delta only: the names an on-demand request (VHDS) asked for that this resource answers. */
  aliases?: string[];
}

export interface XdsResponse {
  variant: 'sotw' | 'delta';
  typeUrl: string;
  /** SotW version_info, or delta system_version_info. */
  versionInfo: string;
  nonce: string;
  resources: XdsReceivedResource[];
  /** Delta only. */
  removed: string[];
  /** Encoded size, for benchmarks. */
  bytes: number;
}

export interface XdsTestClientOptions {
  address: string;
  node: XdsNode;
  credentials?: grpc.ChannelCredentials;
  /** Decode every resource to proto3-JSON (default true; benchmarks turn it off). */
  decodeResources?: boolean;
  /**
   * Read only the response envelope from the bytes (type, version, nonce; delta: each
   * resource's name and version), decoding nothing else: what a benchmark with a
   * thousand clients in one process needs. SotW responses then list no resources.
   */
  envelopeOnly?: boolean;
  channelOptions?: grpc.ChannelOptions;
}

function messageDesc(registry: Registry, name: string): DescMessage {
  const desc = registry.getMessage(name);
  if (!desc) throw new Error(`xds-client: '${name}' is not in the Envoy descriptor set`);
  return desc;
}

interface Waiter {
  typeUrl: string | undefined;
  resolve(response: XdsResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Shared plumbing of both stream kinds: response queue, waiting, errors. */
abstract class XdsTestStreamBase {
  /** Every response received and not yet taken by next(). */
  readonly queue: XdsResponse[] = [];
  /** Every response ever received, in order. */
  readonly history: XdsResponse[] = [];
  private waiters: Waiter[] = [];
  protected readonly call: grpc.ClientDuplexStream<Record<string, unknown>, XdsResponse>;
  error: Error | undefined;
  ended = false;
  protected firstRequest = true;

  constructor(call: grpc.ClientDuplexStream<Record<string, unknown>, XdsResponse>) {
    this.call = call;
    call.on('data', (response: XdsResponse) => this.deliver(response));
    call.on('error', (error: Error) => this.fail(error));
    call.on('end', () => {
      this.ended = true;
      this.fail(new Error('xds-client: stream ended by the server'));
    });
  }

  private deliver(response: XdsResponse): void {
    this.history.push(response);
    const index = this.waiters.findIndex((w) => w.typeUrl === undefined || w.typeUrl === response.typeUrl);
    const waiter = index >= 0 ? this.waiters.splice(index, 1)[0] : undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(response);
    } else {
      this.queue.push(response);
    }
  }

  private fail(error: Error): void {
    this.error ??= error;
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  /** The next response (of one type, if given), waiting up to `timeoutMs`. */
  next(typeUrl?: string, timeoutMs = 10_000): Promise<XdsResponse> {
    const index = this.queue.findIndex((r) => typeUrl === undefined || r.typeUrl === typeUrl);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0] as XdsResponse);
    if (this.error) return Promise.reject(this.error);
    return new Promise<XdsResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        const seen = this.history.map((r) => `${shortType(r.typeUrl)}@${r.versionInfo}`).join(', ');
        reject(
          new Error(
            `xds-client: no ${typeUrl ? shortType(typeUrl) : ''} response within ${timeoutMs} ms (received so far: ${seen || 'none'})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({ typeUrl, resolve, reject, timer });
    });
  }

  /** Responses of a type already received and not taken. */
  pending(typeUrl?: string): XdsResponse[] {
    return this.queue.filter((r) => typeUrl === undefined || r.typeUrl === typeUrl);
  }

  /** Send a raw request (proto3-JSON). The node is added to the first request. */
  abstract send(request: Record<string, unknown>): void;

  /** Stop reading responses, like a stuck client: HTTP/2 flow control then pushes back on the server. */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  close(): void {
    this.ended = true;
    this.call.end();
    this.call.cancel();
  }
}

export function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/** A state-of-the-world stream. It remembers per type the names it asked for and the last version it ACKed. */
export class SotwTestStream extends XdsTestStreamBase {
  private readonly names = new Map<string, string[]>();
  private readonly acked = new Map<string, { version: string; nonce: string }>();
  private readonly lastNonce = new Map<string, string>();

  constructor(
    call: grpc.ClientDuplexStream<Record<string, unknown>, XdsResponse>,
    private readonly node: XdsNode,
  ) {
    super(call);
    call.on('data', (response: XdsResponse) => this.lastNonce.set(response.typeUrl, response.nonce));
  }

  send(request: Record<string, unknown>): void {
    const withNode = this.firstRequest ? { node: this.node, ...request } : request;
    this.firstRequest = false;
    this.call.write(withNode);
  }

  /** Ask for `names` of a type (empty list: legacy wildcard for LDS/CDS), as a real client does, carrying the last ACKed version and the latest nonce. */
  subscribe(typeUrl: string, names: string[]): void {
    this.names.set(typeUrl, names);
    const acked = this.acked.get(typeUrl);
    this.send({
      typeUrl,
      resourceNames: names,
      versionInfo: acked?.version ?? '',
      responseNonce: this.lastNonce.get(typeUrl) ?? '',
    });
  }

  ack(response: XdsResponse): void {
    this.acked.set(response.typeUrl, { version: response.versionInfo, nonce: response.nonce });
    this.send({
      typeUrl: response.typeUrl,
      resourceNames: this.names.get(response.typeUrl) ?? [],
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
    });
  }

  /** Reject a response: the request carries the previous good version, the nonce and an error_detail. */
  nack(response: XdsResponse, message: string): void {
    this.send({
      typeUrl: response.typeUrl,
      resourceNames: this.names.get(response.typeUrl) ?? [],
      versionInfo: this.acked.get(response.typeUrl)?.version ?? '',
      responseNonce: response.nonce,
      errorDetail: { code: 3, message },
    });
  }
}

/** An incremental stream. It tracks the resources it holds (after ACK) so reconnects can send initial_resource_versions. */
export class DeltaTestStream extends XdsTestStreamBase {
  /** typeUrl → name → version the client has accepted. */
  readonly held = new Map<string, Map<string, string>>();

  constructor(
    call: grpc.ClientDuplexStream<Record<string, unknown>, XdsResponse>,
    private readonly node: XdsNode,
  ) {
    super(call);
  }

  send(request: Record<string, unknown>): void {
    const withNode = this.firstRequest ? { node: this.node, ...request } : request;
    this.firstRequest = false;
    this.call.write(withNode);
  }

  subscribe(typeUrl: string, names: string[], initialResourceVersions?: Record<string, string>): void {
    this.send({
      typeUrl,
      resourceNamesSubscribe: names,
      initialResourceVersions: initialResourceVersions ?? {},
    });
  }

  unsubscribe(typeUrl: string, names: string[]): void {
    this.send({ typeUrl, resourceNamesUnsubscribe: names });
  }

  ack(response: XdsResponse): void {
    const held = this.held.get(response.typeUrl) ?? new Map<string, string>();
    this.held.set(response.typeUrl, held);
    for (const resource of response.resources) held.set(resource.name, resource.version ?? '');
    for (const name of response.removed) held.delete(name);
    this.send({ typeUrl: response.typeUrl, responseNonce: response.nonce });
  }

  nack(response: XdsResponse, message: string): void {
    this.send({
      typeUrl: response.typeUrl,
      responseNonce: response.nonce,
      errorDetail: { code: 3, message },
    });
  }

  holds(typeUrl: string): Record<string, string> {
    return Object.fromEntries([...(this.held.get(typeUrl) ?? new Map<string, string>())].sort());
  }
}

/** JSON text drops undefined members, which proto3-JSON parsing rejects. */
function withoutUndefined(json: Record<string, unknown>): JsonValue {
  return JSON.parse(JSON.stringify(json)) as JsonValue;
}

/** Resource name of a decoded resource: `name`, or `cluster_name` for ClusterLoadAssignment. */
function resourceName(json: Record<string, unknown>): string {
  const name = json.name ?? json.clusterName;
  return typeof name === 'string' ? name : '';
}

export class XdsTestClient {
  private readonly client: grpc.Client;
  private readonly registry: Registry = envoyRegistry;
  private readonly decodeResources: boolean;

  constructor(private readonly options: XdsTestClientOptions) {
    this.decodeResources = options.decodeResources ?? true;
    this.client = new grpc.Client(options.address, options.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      'grpc.max_send_message_length': 256 * 1024 * 1024,
      ...options.channelOptions,
    });
  }

  sotw(service: XdsServiceName = 'ads', node: XdsNode = this.options.node): SotwTestStream {
    const spec = services[service];
    const request = messageDesc(this.registry, 'envoy.service.discovery.v3.DiscoveryRequest');
    const response = messageDesc(this.registry, 'envoy.service.discovery.v3.DiscoveryResponse');
    const call = this.client.makeBidiStreamRequest<Record<string, unknown>, XdsResponse>(
      `/${spec.path}/${spec.sotw}`,
      (json) =>
        Buffer.from(
          toBinary(request, fromJson(request, withoutUndefined(json), { registry: this.registry })),
        ),
      (bytes) => {
        if (this.options.envelopeOnly) {
          const envelope = readResponseEnvelope(bytes, false);
          return {
            variant: 'sotw',
            typeUrl: envelope.typeUrl,
            versionInfo: envelope.versionInfo,
            nonce: envelope.nonce,
            resources: [],
            removed: [],
            bytes: bytes.length,
          };
        }
        const message = fromBinary(response, bytes) as unknown as {
          versionInfo: string;
          typeUrl: string;
          nonce: string;
          resources: { typeUrl: string; value: Uint8Array }[];
        };
        return {
          variant: 'sotw',
          typeUrl: message.typeUrl,
          versionInfo: message.versionInfo,
          nonce: message.nonce,
          resources: this.decodeResources ? message.resources.map((any) => this.decodeAny(any)) : [],
          removed: [],
          bytes: bytes.length,
        };
      },
    );
    return new SotwTestStream(call, node);
  }

  delta(service: XdsServiceName = 'ads', node: XdsNode = this.options.node): DeltaTestStream {
    const spec = services[service];
    const request = messageDesc(this.registry, 'envoy.service.discovery.v3.DeltaDiscoveryRequest');
    const response = messageDesc(this.registry, 'envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const call = this.client.makeBidiStreamRequest<Record<string, unknown>, XdsResponse>(
      `/${spec.path}/${spec.delta}`,
      (json) =>
        Buffer.from(
          toBinary(request, fromJson(request, withoutUndefined(json), { registry: this.registry })),
        ),
      (bytes) => {
        if (this.options.envelopeOnly) {
          const envelope = readResponseEnvelope(bytes, true);
          return {
            variant: 'delta',
            typeUrl: envelope.typeUrl,
            versionInfo: envelope.versionInfo,
            nonce: envelope.nonce,
            resources: envelope.resources,
            removed: envelope.removed,
            bytes: bytes.length,
          };
        }
        const message = fromBinary(response, bytes) as unknown as {
          systemVersionInfo: string;
          typeUrl: string;
          nonce: string;
          removedResources: string[];
          resources: {
            name: string;
            version: string;
            aliases: string[];
            resource?: { typeUrl: string; value: Uint8Array };
          }[];
        };
        return {
          variant: 'delta',
          typeUrl: message.typeUrl,
          versionInfo: message.systemVersionInfo,
          nonce: message.nonce,
          resources: message.resources.map((r) => ({
            name: r.name,
            version: r.version,
            json: this.decodeResources && r.resource ? this.decodeAny(r.resource).json : undefined,
            ...(r.aliases.length > 0 ? { aliases: [...r.aliases] } : {}),
          })),
          removed: [...message.removedResources],
          bytes: bytes.length,
        };
      },
    );
    return new DeltaTestStream(call, node);
  }

  private decodeAny(any: { typeUrl: string; value: Uint8Array }): XdsReceivedResource {
    const desc = messageDesc(this.registry, any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1));
    const json = toJson(desc, fromBinary(desc, any.value), { registry: this.registry }) as Record<
      string,
      unknown
    >;
    return { name: resourceName(json), json: { '@type': any.typeUrl, ...json } };
  }

  close(): void {
    this.client.close();
  }
}
