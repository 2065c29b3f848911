import { type DerivedResource, type Snapshot, TypeUrl } from '@attache/core';
import * as grpc from '@grpc/grpc-js';
import { defaultXdsCodec } from './default-codec.js';
import { readDeltaRequest } from './delta-request.js';
import { DeltaStream } from './delta-stream.js';
import { EncodePool } from './encode-pool.js';
import { installFramedPassThrough, unframedBody } from './framed-message.js';
import { encodeSnapshot, encodeSnapshotSliced, type GroupState } from './group-state.js';
import { xdsMetrics } from './metrics.js';
import { type GroupRule, groupResolver } from './node-groups.js';
import { SendBudget } from './send-budget.js';
import { VirtualHostType } from './served-types.js';
import { type XdsServiceSpec, xdsServices } from './services.js';
import { readSotwRequest } from './sotw-request.js';
import { SotwStream } from './sotw-stream.js';
import type { StreamInfo } from './stream-info.js';
import { VhdsFormer } from './vhds-form.js';
import { encodeVhdsState, encodeVhdsStateSync } from './vhds-state.js';
import type { DeltaDiscoveryRequestJson, DiscoveryRequestJson, NodeJson, XdsCodec } from './xds-codec.js';
import type { DeliveryFeedback, StreamEnvironment, XdsStream } from './xds-stream.js';

/** PEM text or bytes. */
export type Pem = string | Uint8Array;

export interface XdsServerOptions {
  /** host:port to listen on; port 0 picks a free port. Default '127.0.0.1:18000'. */
  address?: string;
  /** TLS for the xDS port; with clientCa, clients must present a certificate it signed (mTLS). */
  tls?: { cert: Pem; key: Pem; clientCa?: Pem };
  /** grpc max send/receive message length. Default 64 MiB (4 MiB, gRPC's default, is too small for large configs). */
  maxMessageBytes?: number;
  /** Node → group rules (first match wins); default: ambassador_id metadata, else 'default'. */
  groups?: readonly GroupRule[];
  /** Replaces the rule-based node → group mapping entirely. */
  groupOf?: (node: NodeJson) => string;
  /** Where NACKs (and recoveries) go. */
  feedback?: DeliveryFeedback;
  /** HTTP/2 keepalive pings towards clients, so dead peers are noticed and their streams freed. */
  keepalive?: { timeMs?: number; timeoutMs?: number };
  logger?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** Soft cap on response bytes being flushed at once across streams (default 64 MiB): bounds fan-out memory. */
  sendBudgetBytes?: number;
  codec?: XdsCodec;
  /**
   * Serve route tables to delta ADS streams as VHDS: each RouteConfiguration
   * without its virtual hosts (`vhds` over ADS), every virtual host a VirtualHost
   * resource `<route configuration>/<virtual host>`, and Envoy's on-demand filter
   * in the connection managers that use them. SotW and per-type streams get the
   * tables whole (Envoy supports VHDS over delta xDS only). Default false.
   * `onDemand` adds Envoy's on-demand filter (a request for an authority without a
   * virtual host waits for the control plane's answer) and ends every virtual host
   * with a catch-all 404 route (see `noRouteFallback` in @attache/envoy).
   * `lazy` (with `onDemand`): a table whose virtual hosts all have exact domains is
   * not sent up front; Envoy asks for each virtual host when it first sees its authority.
   */
  vhds?: boolean | { onDemand?: boolean; lazy?: boolean };
}

export interface XdsServer {
  /** Bind and serve; resolves to the bound port. */
  listen(): Promise<number>;
  /** The bound port (after listen). */
  readonly port: number | undefined;
  /** Deliver a snapshot to every stream of its group. */
  setSnapshot(snapshot: Snapshot): void;
  /**
   * The same, encoding in slices so the event loop keeps serving while a large
   * snapshot is encoded; publications are applied in call order.
   */
  publish(snapshot: Snapshot): Promise<void>;
  /** The current snapshot of a group, if any. */
  snapshot(group: string): Snapshot | undefined;
  /** Connected streams, for the admin UI. */
  streams(): StreamInfo[];
  /** Graceful drain: end every stream (clients reconnect elsewhere), then stop; forced after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

const defaultMaxMessageBytes = 64 * 1024 * 1024;
const defaultSendBudgetBytes = 64 * 1024 * 1024;
const noFeedback: DeliveryFeedback = { rejected() {}, accepted() {} };

/**
 * Feedback that tells, for a rejected VirtualHost (VHDS), the resources behind
 * it and how to find its version again: the runtime's snapshot lists route
 * tables, not the virtual hosts the sink cut them into.
 */
function withDerivedVirtualHosts(
  feedback: DeliveryFeedback,
  formerOf: (group: string) => VhdsFormer | undefined,
): DeliveryFeedback {
  return {
    rejected(event) {
      const former = event.typeUrl === VirtualHostType ? formerOf(event.group) : undefined;
      if (!former) return feedback.rejected(event);
      const derived: Record<string, DerivedResource> = {};
      for (const name of event.resourceNames) {
        const resource = former.derived(name);
        if (resource) derived[name] = resource;
      }
      feedback.rejected({ ...event, derived });
    },
    accepted: (event) => feedback.accepted(event),
    ...(feedback.disconnected ? { disconnected: feedback.disconnected.bind(feedback) } : {}),
  };
}

function toBuffer(pem: Pem): Buffer {
  return typeof pem === 'string' ? Buffer.from(pem) : Buffer.from(pem.buffer, pem.byteOffset, pem.byteLength);
}

export function createXdsServer(options: XdsServerOptions = {}): XdsServer {
  const codec = options.codec ?? defaultXdsCodec();
  const address = options.address ?? '127.0.0.1:18000';
  const maxMessageBytes = options.maxMessageBytes ?? defaultMaxMessageBytes;
  const groupOf = options.groupOf ?? groupResolver(options.groups);
  const groups = new Map<string, GroupState>();
  /** The VHDS form of each group's state, for delta ADS streams (option `vhds`). */
  const vhdsGroups = new Map<string, GroupState>();
  const formers = new Map<string, VhdsFormer>();
  // With VHDS, whole route tables are encoded only when a SotW or per-type stream reads them.
  const lazyTypes: ReadonlySet<string> | undefined = options.vhds
    ? new Set([TypeUrl.RouteConfiguration])
    : undefined;
  const formerOf = (group: string): VhdsFormer => {
    let former = formers.get(group);
    if (!former) {
      former = new VhdsFormer(typeof options.vhds === 'object' ? options.vhds : {});
      formers.set(group, former);
    }
    return former;
  };
  const members = new Map<string, Set<XdsStream>>();
  const streams = new Map<number, { stream: XdsStream; end(): void }>();
  /** Open streams per client (group + node id): feedback hears of a disconnect when the last one closes. */
  const liveStreams = new Map<string, number>();
  const clientKey = (stream: XdsStream) => `${stream.group}\u0000${stream.client}`;
  let nextStreamId = 1;
  let nonce = 0;
  let boundPort: number | undefined;
  let closing = false;

  const env: StreamEnvironment = {
    codec,
    metrics: xdsMetrics,
    feedback: withDerivedVirtualHosts(options.feedback ?? noFeedback, (group) => formers.get(group)),
    nextNonce: () => (++nonce).toString(36),
    budget: new SendBudget(options.sendBudgetBytes ?? defaultSendBudgetBytes),
    groupOf,
    groupState: (group, deltaAds) => (deltaAds && vhdsGroups.get(group)) || groups.get(group),
    joined(stream) {
      const group = stream.group ?? '';
      const set = members.get(group) ?? new Set<XdsStream>();
      members.set(group, set);
      set.add(stream);
      liveStreams.set(clientKey(stream), (liveStreams.get(clientKey(stream)) ?? 0) + 1);
    },
    warn(message, details) {
      options.logger?.warn(details ?? {}, message);
    },
  };

  let publishing: Promise<void> = Promise.resolve();
  // Large resources (those that come with their JSON text) are encoded in a worker thread when it is built.
  const pool = options.codec === undefined && EncodePool.available() ? new EncodePool() : undefined;
  function install(state: GroupState, vhdsState?: GroupState): void {
    groups.set(state.snapshot.group, state);
    if (vhdsState) vhdsGroups.set(state.snapshot.group, vhdsState);
    for (const stream of members.get(state.snapshot.group) ?? []) stream.snapshotChanged();
  }

  /** A client's rejections belong to it while it is connected: the last of its streams closing ends them. */
  function left(stream: XdsStream): void {
    const key = clientKey(stream);
    const remaining = (liveStreams.get(key) ?? 1) - 1;
    if (remaining > 0) {
      liveStreams.set(key, remaining);
      return;
    }
    liveStreams.delete(key);
    env.feedback.disconnected?.({ group: stream.group ?? '', client: stream.client });
  }

  const server = new grpc.Server({
    'grpc.max_send_message_length': maxMessageBytes,
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.keepalive_time_ms': options.keepalive?.timeMs ?? 30_000,
    'grpc.keepalive_timeout_ms': options.keepalive?.timeoutMs ?? 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  });

  // Shared responses come framed (framed-message.ts); grpc-js sends them without copying when it can.
  installFramedPassThrough();
  const serialize = (value: Uint8Array): Buffer => {
    const bytes = unframedBody(value);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };

  function serve<Req>(
    spec: XdsServiceSpec,
    variant: 'sotw' | 'delta',
    call: grpc.ServerDuplexStream<Req, Uint8Array>,
  ): void {
    if (closing) {
      call.end();
      return;
    }
    const id = nextStreamId++;
    const streamOptions = {
      id,
      service: spec.service,
      peer: call.getPeer(),
      allowedTypes: spec.types,
      env,
      transport: { write: (bytes: Uint8Array, flushed: () => void) => call.write(bytes, flushed) },
    };
    const stream = variant === 'sotw' ? new SotwStream(streamOptions) : new DeltaStream(streamOptions);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stream.close();
      streams.delete(id);
      if (stream.group !== undefined) {
        members.get(stream.group)?.delete(stream);
        left(stream);
      }
      xdsMetrics.streams.dec({ service: spec.service, variant });
    };
    streams.set(id, {
      stream,
      end: () => {
        finish();
        call.end();
      },
    });
    xdsMetrics.streams.inc({ service: spec.service, variant });
    call.on('data', (request: Req) => {
      if (stream instanceof SotwStream) stream.receive(request as DiscoveryRequestJson);
      else stream.receive(request as DeltaDiscoveryRequestJson);
    });
    call.on('drain', () => stream.drained());
    call.on('end', () => {
      finish();
      call.end();
    });
    call.on('error', finish);
    call.on('cancelled', finish);
    call.on('close', finish);
  }

  for (const spec of xdsServices) {
    const methods = {
      [spec.sotwMethod]: {
        path: `/${spec.grpcService}/${spec.sotwMethod}`,
        requestStream: true,
        responseStream: true,
        requestDeserialize: (bytes: Buffer) => readSotwRequest(bytes) ?? codec.decodeRequest(bytes),
        requestSerialize: () => {
          throw new Error('server side only');
        },
        responseSerialize: serialize,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
      [spec.deltaMethod]: {
        path: `/${spec.grpcService}/${spec.deltaMethod}`,
        requestStream: true,
        responseStream: true,
        requestDeserialize: (bytes: Buffer) => readDeltaRequest(bytes) ?? codec.decodeDeltaRequest(bytes),
        requestSerialize: () => {
          throw new Error('server side only');
        },
        responseSerialize: serialize,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    } as grpc.ServiceDefinition;
    server.addService(methods, {
      [spec.sotwMethod]: (call: grpc.ServerDuplexStream<DiscoveryRequestJson, Uint8Array>) =>
        serve(spec, 'sotw', call),
      [spec.deltaMethod]: (call: grpc.ServerDuplexStream<DeltaDiscoveryRequestJson, Uint8Array>) =>
        serve(spec, 'delta', call),
    });
  }

  function credentials(): grpc.ServerCredentials {
    const tls = options.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(
      tls.clientCa ? toBuffer(tls.clientCa) : null,
      [{ cert_chain: toBuffer(tls.cert), private_key: toBuffer(tls.key) }],
      tls.clientCa !== undefined,
    );
  }

  return {
    get port() {
      return boundPort;
    },
    listen() {
      return new Promise<number>((resolve, reject) => {
        server.bindAsync(address, credentials(), (error, port) => {
          if (error) {
            reject(new Error(`sink-ads: cannot listen on ${address}: ${error.message}`));
            return;
          }
          boundPort = port;
          options.logger?.info({ address, port, tls: options.tls !== undefined }, 'xDS server listening');
          resolve(port);
        });
      });
    },
    setSnapshot(snapshot) {
      const state = encodeSnapshot(codec, snapshot, groups.get(snapshot.group), lazyTypes);
      const vhdsState = options.vhds
        ? encodeVhdsStateSync(
            codec,
            state,
            formerOf(snapshot.group).form(snapshot),
            vhdsGroups.get(snapshot.group),
          )
        : undefined;
      install(state, vhdsState);
    },
    publish(snapshot) {
      publishing = publishing
        .catch(() => {})
        .then(async () => {
          const state = await encodeSnapshotSliced(
            codec,
            snapshot,
            groups.get(snapshot.group),
            pool,
            lazyTypes,
          );
          const vhdsState = options.vhds
            ? await encodeVhdsState(
                codec,
                state,
                formerOf(snapshot.group).form(snapshot),
                vhdsGroups.get(snapshot.group),
                pool,
              )
            : undefined;
          install(state, vhdsState);
        });
      return publishing;
    },
    snapshot(group) {
      return groups.get(group)?.snapshot;
    },
    streams() {
      return [...streams.values()].map((entry) => entry.stream.info());
    },
    close(graceMs = 5_000) {
      closing = true;
      void pool?.close();
      for (const entry of [...streams.values()]) entry.end();
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
