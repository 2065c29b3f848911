import http2 from 'node:http2';
import { EnvelopeStreamReader, type StreamedEnvelope } from './ads-envelope-stream.js';

/**
 * A light xDS client for the ADS benchmark: gRPC over `node:http2` directly.
 * It receives every byte of every response and reads the gRPC framing as it
 * arrives (`EnvelopeStreamReader`: version, type, nonce; delta: each resource's
 * name and version), never reassembling a message nor decoding a resource body;
 * its requests are encoded by hand (DiscoveryRequest / DeltaDiscoveryRequest),
 * the subscription's names once for every stream. It ACKs like Envoy: SotW with
 * the version, the nonce and the subscribed names; delta with the nonce, keeping
 * per type the name → version of what it holds.
 *
 * The grpc-js client (`XdsTestClient` with `envelopeOnly`) reassembles each
 * message (`Buffer.concat`) before reading it: a thousand of them in one process
 * spent 5–6× the server's CPU taking 1 GB in, which is what this one avoids.
 */

export interface H2XdsNode {
  id: string;
  cluster: string;
}

const adsService = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

// --- protobuf wire encoding of requests (only what the bench sends) ---

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field: tag, length, bytes. */
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varintBytes(number * 8 + 2), ...varintBytes(bytes.length)]), bytes]);
}

function stringField(number: number, text: string): Buffer {
  return text === '' ? Buffer.alloc(0) : field(number, Buffer.from(text, 'utf8'));
}

/** envoy.config.core.v3.Node: id 1, cluster 2. */
function nodeMessage(node: H2XdsNode): Buffer {
  return Buffer.concat([stringField(1, node.id), stringField(2, node.cluster)]);
}

/** Repeated string field `number` of every name, encoded once per names list (streams share their lists). */
const encodedNames = new WeakMap<readonly string[], Map<number, Buffer>>();
function namesField(number: number, names: readonly string[]): Buffer {
  let byNumber = encodedNames.get(names);
  if (!byNumber) {
    byNumber = new Map();
    encodedNames.set(names, byNumber);
  }
  let bytes = byNumber.get(number);
  if (!bytes) {
    bytes = Buffer.concat(names.map((name) => field(number, Buffer.from(name, 'utf8'))));
    byNumber.set(number, bytes);
  }
  return bytes;
}

/** DiscoveryRequest: version_info 1, node 2, resource_names 3, type_url 4, response_nonce 5. */
export function encodeDiscoveryRequest(request: {
  node?: H2XdsNode;
  versionInfo: string;
  resourceNames: readonly string[];
  typeUrl: string;
  responseNonce: string;
}): Buffer {
  return Buffer.concat([
    stringField(1, request.versionInfo),
    request.node ? field(2, nodeMessage(request.node)) : Buffer.alloc(0),
    namesField(3, request.resourceNames),
    stringField(4, request.typeUrl),
    stringField(5, request.responseNonce),
  ]);
}

/** DeltaDiscoveryRequest: node 1, type_url 2, resource_names_subscribe 3, response_nonce 6. */
export function encodeDeltaDiscoveryRequest(request: {
  node?: H2XdsNode;
  typeUrl: string;
  subscribe?: readonly string[];
  responseNonce?: string;
}): Buffer {
  return Buffer.concat([
    request.node ? field(1, nodeMessage(request.node)) : Buffer.alloc(0),
    stringField(2, request.typeUrl),
    request.subscribe ? namesField(3, request.subscribe) : Buffer.alloc(0),
    stringField(6, request.responseNonce ?? ''),
  ]);
}

/** The message with its gRPC prefix (uncompressed). */
function grpcFrame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.length + 5);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

// --- streams ---

export type H2XdsResponse = StreamedEnvelope;

/** One ADS stream (SotW or delta) on a connection. */
export class H2XdsStream {
  private readonly request: http2.ClientHttp2Stream;
  private readonly reader: EnvelopeStreamReader;
  private firstRequest = true;
  /** SotW: the names asked for per type. */
  private readonly names = new Map<string, readonly string[]>();
  /** Delta: per type, name → version of what the client holds (after ACK). */
  readonly held = new Map<string, Map<string, string>>();
  error: Error | undefined;

  constructor(
    session: http2.ClientHttp2Session,
    readonly delta: boolean,
    private readonly node: H2XdsNode,
    onResponse: (response: H2XdsResponse) => void,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    this.reader = new EnvelopeStreamReader(delta, onResponse);
    this.request = session.request(
      {
        ':method': 'POST',
        ':path': `${adsService}/${delta ? 'DeltaAggregatedResources' : 'StreamAggregatedResources'}`,
        'content-type': 'application/grpc',
        te: 'trailers',
      },
      { endStream: false },
    );
    this.request.on('response', (headers) => {
      if (headers[':status'] !== 200) this.fail(new Error(`ads client: HTTP status ${headers[':status']}`));
    });
    this.request.on('data', (chunk: Buffer) => {
      if (this.error) return;
      try {
        this.reader.push(chunk);
      } catch (error) {
        this.fail(error as Error);
      }
    });
    this.request.on('trailers', (trailers) => {
      const status = trailers['grpc-status'];
      if (status !== undefined && status !== '0')
        this.fail(new Error(`ads client: grpc-status ${status} ${trailers['grpc-message'] ?? ''}`));
    });
    this.request.on('error', (error) => this.fail(error));
  }

  private fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    this.onError(error);
  }

  private write(message: Buffer): void {
    this.firstRequest = false;
    this.request.write(grpcFrame(message));
  }

  private get nodeOnce(): H2XdsNode | undefined {
    return this.firstRequest ? this.node : undefined;
  }

  /** Ask for `names` of a type (SotW: the names of every later ACK; delta: subscribe). */
  subscribe(typeUrl: string, names: readonly string[]): void {
    if (this.delta) {
      this.write(encodeDeltaDiscoveryRequest({ node: this.nodeOnce, typeUrl, subscribe: names }));
      return;
    }
    this.names.set(typeUrl, names);
    this.write(
      encodeDiscoveryRequest({
        node: this.nodeOnce,
        versionInfo: '',
        resourceNames: names,
        typeUrl,
        responseNonce: '',
      }),
    );
  }

  ack(response: H2XdsResponse): void {
    if (this.delta) {
      let held = this.held.get(response.typeUrl);
      if (!held) {
        held = new Map();
        this.held.set(response.typeUrl, held);
      }
      const { names, versions } = response;
      for (let i = 0; i < names.length; i++) held.set(names[i] as string, versions[i] as string);
      for (const name of response.removed) held.delete(name);
      this.write(encodeDeltaDiscoveryRequest({ typeUrl: response.typeUrl, responseNonce: response.nonce }));
      return;
    }
    this.write(
      encodeDiscoveryRequest({
        versionInfo: response.versionInfo,
        resourceNames: this.names.get(response.typeUrl) ?? [],
        typeUrl: response.typeUrl,
        responseNonce: response.nonce,
      }),
    );
  }

  close(): void {
    this.request.close(http2.constants.NGHTTP2_CANCEL);
  }
}

/** One HTTP/2 connection with Envoy's flow-control windows, carrying many ADS streams. */
export class H2XdsConnection {
  readonly session: http2.ClientHttp2Session;

  constructor(address: string, window: number) {
    this.session = http2.connect(`http://${address}`, {
      settings: { initialWindowSize: window, enablePush: false },
      // Node's cap on a session's buffered bytes (MB); the default 10 refuses new streams under a large fan-out.
      maxSessionMemory: 4096,
    });
    this.session.on('connect', () => this.session.setLocalWindowSize(window));
    this.session.on('error', () => {});
  }

  stream(
    delta: boolean,
    node: H2XdsNode,
    onResponse: (response: H2XdsResponse) => void,
    onError?: (error: Error) => void,
  ): H2XdsStream {
    return new H2XdsStream(this.session, delta, node, onResponse, onError);
  }

  close(): void {
    this.session.close();
  }
}
