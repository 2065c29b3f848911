import type { DerivedResource, XdsNackRecord, XdsTypeUrl } from '@attache/core';
import { type Desired, type PlanTypeView, planDelivery } from './delivery-plan.js';
import type { GroupState } from './group-state.js';
import type { XdsMetrics } from './metrics.js';
import { rejectedResourceNames } from './rejected-names.js';
import type { SendBudget } from './send-budget.js';
import { servedTypes } from './served-types.js';
import type { StreamInfo, TypeInfo } from './stream-info.js';
import { Subscription } from './subscription.js';
import type { EncodedResource, NodeJson, XdsCodec } from './xds-codec.js';

/** Where a stream writes. `write` returns false when the transport is full (`drained` follows); `flushed` runs once the bytes left. */
export interface StreamTransport {
  write(bytes: Uint8Array, flushed: () => void): boolean;
}

export interface DeliveryFeedback {
  rejected(event: {
    group: string;
    typeUrl: string;
    resourceNames: string[];
    message: string;
    client: string;
    /** Content hash of each rejected resource as sent ('' for a removal). */
    versions?: Readonly<Record<string, string>>;
    /** Rejected resources the sink derived from the snapshot's own (VHDS VirtualHosts). */
    derived?: Readonly<Record<string, DerivedResource>>;
  }): void;
  accepted(event: { group: string; typeUrl: string; client: string }): void;
  /** The client's last stream closed. */
  disconnected?(event: { group: string; client: string }): void;
}

/** What every stream shares with its server. */
export interface StreamEnvironment {
  codec: XdsCodec;
  metrics: XdsMetrics;
  feedback: DeliveryFeedback;
  nextNonce(): string;
  /** Shared cap on bytes being flushed, so a fan-out does not buffer the snapshot once per stream at once. */
  budget: SendBudget;
  /** The node group of a client, from its Node. */
  groupOf(node: NodeJson): string;
  /** The group's current encoded snapshot, if any yet (`deltaAds`: the form for delta ADS streams, VHDS when on). */
  groupState(group: string, deltaAds?: boolean): GroupState | undefined;
  /** The stream learned its group (first request carried the node). */
  joined(stream: XdsStream): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface StreamOptions {
  id: number;
  /** 'ads', or the per-type service name ('lds', 'rds', 'cds', 'eds', 'sds'). */
  service: string;
  peer: string;
  /** Types this service may carry: all five on ADS, one on the per-type services. */
  allowedTypes: readonly XdsTypeUrl[];
  transport: StreamTransport;
  env: StreamEnvironment;
}

export type NackRecord = XdsNackRecord;

/** Per-type state common to both protocol variants. */
export abstract class TypeState implements PlanTypeView {
  readonly subscription: Subscription;
  lastNonce = '';
  lastNack: NackRecord | undefined;
  pushes = 0;
  acks = 0;
  nacks = 0;
  /** The nonce of the response neither ACKed nor NACKed yet (at most one per type: the stream's backpressure). */
  inflightNonce: string | undefined;

  constructor(readonly typeUrl: string) {
    this.subscription = new Subscription(typeUrl);
  }

  get inflight(): boolean {
    return this.inflightNonce !== undefined;
  }

  abstract clientNames(): Iterable<string>;
  abstract holdsNothing(): boolean;
  abstract settled(desired: Desired): boolean;
  abstract info(): Omit<
    TypeInfo,
    'typeUrl' | 'subscribed' | 'pending' | 'lastNack' | 'pushes' | 'acks' | 'nacks'
  >;
}

/**
 * One xDS stream, transport-agnostic. Requests come in decoded; responses go
 * out as bytes. Evaluation is coalesced (one per event-loop turn) and each
 * type has at most one unacknowledged response, so a slow client costs a
 * bounded amount of state and never delays the others.
 */
export abstract class XdsStream<S extends TypeState = TypeState> {
  abstract readonly variant: 'sotw' | 'delta';
  readonly id: number;
  readonly service: string;
  readonly peer: string;
  readonly connectedAt = new Date().toISOString();
  node: NodeJson | undefined;
  group: string | undefined;
  protected readonly types = new Map<string, S>();
  protected readonly env: StreamEnvironment;
  private readonly transport: StreamTransport;
  private readonly allowedTypes: readonly XdsTypeUrl[];
  private blocked = false;
  private scheduled = false;
  private closed = false;
  private waitingForBudget = false;
  /** Budget charges of responses not flushed yet, released on close too. */
  private readonly unflushed = new Set<() => void>();

  constructor(options: StreamOptions) {
    this.id = options.id;
    this.service = options.service;
    this.peer = options.peer;
    this.transport = options.transport;
    this.env = options.env;
    this.allowedTypes = options.allowedTypes;
  }

  get ads(): boolean {
    return this.service === 'ads';
  }

  /**
   * Identifies the client in feedback: the node id, stable across reconnects, so
   * that an ACK on a new stream clears a rejection reported from an old one.
   */
  get client(): string {
    return this.node?.id || this.peer;
  }

  protected abstract createTypeState(typeUrl: string): S;
  protected abstract push(state: S, desired: Desired, group: GroupState): void;

  /** Common request prologue: node, group, type check. Returns the type's state, or undefined to ignore the request. */
  protected admit(typeUrl: string | undefined, node: NodeJson | undefined): S | undefined {
    if (this.group === undefined) {
      // The node comes with the first request; a client that sends none lands in the group of an empty node.
      this.node = node;
      this.group = this.env.groupOf(node ?? {});
      this.env.joined(this);
    }
    const type = typeUrl ?? '';
    if (!this.allowedTypes.includes(type as XdsTypeUrl)) {
      this.env.warn('xDS request for a type this service does not serve; ignored', {
        stream: this.id,
        typeUrl: type,
        service: this.service,
      });
      return undefined;
    }
    let state = this.types.get(type);
    if (!state) {
      state = this.createTypeState(type);
      this.types.set(type, state);
    }
    return state;
  }

  /** The group's snapshot changed (or the stream just joined it). */
  snapshotChanged(): void {
    this.schedule();
  }

  /** The transport accepted more bytes after a full write. */
  drained(): void {
    this.blocked = false;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    for (const release of this.unflushed) release();
    this.unflushed.clear();
  }

  protected schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.evaluate();
    });
  }

  private evaluate(): void {
    if (this.closed || this.blocked || this.group === undefined) return;
    const group = this.env.groupState(this.group, this.variant === 'delta' && this.ads);
    if (!group) return;
    if (!this.env.budget.available) {
      if (!this.waitingForBudget) {
        this.waitingForBudget = true;
        this.env.budget.wait(() => {
          this.waitingForBudget = false;
          this.schedule();
        });
      }
      return;
    }
    const plan = planDelivery(this.ads, group, this.types);
    for (const typeUrl of servedTypes) {
      const state = this.types.get(typeUrl);
      const desired = plan.get(typeUrl);
      if (!state || state.inflight || desired === undefined || desired === 'hold') continue;
      this.push(state, desired, group);
      if (this.blocked) return;
    }
  }

  protected send(state: S, nonce: string, bytes: Uint8Array): void {
    state.inflightNonce = nonce;
    state.lastNonce = nonce;
    state.pushes++;
    this.env.metrics.pushes.inc({ type: shortType(state.typeUrl), variant: this.variant });
    this.env.metrics.bytesSent?.inc({ type: shortType(state.typeUrl), variant: this.variant }, bytes.length);
    const charge = this.env.budget.charge(bytes.length);
    const release = (): void => {
      this.unflushed.delete(release);
      charge();
    };
    this.unflushed.add(release);
    if (!this.transport.write(bytes, release)) this.blocked = true;
  }

  protected acknowledged(state: S): void {
    state.inflightNonce = undefined;
    state.acks++;
    this.env.metrics.acks.inc({ type: shortType(state.typeUrl), variant: this.variant });
    // The first ACK of a stream counts too: a client that reconnected may hold a rejection from its old stream.
    if ((state.lastNack || state.acks === 1) && this.group !== undefined && !this.stillRefused(state)) {
      state.lastNack = undefined;
      this.env.feedback.accepted({ group: this.group, typeUrl: state.typeUrl, client: this.client });
    }
  }

  /** The client ACKed the type but still holds back what it last rejected (delta: another resource was ACKed). */
  protected stillRefused(_state: S): boolean {
    return false;
  }

  /** `sentVersion` gives the version of a name in the rejected response ('' for a removal). */
  protected rejected(
    state: S,
    errorMessage: string,
    candidates: readonly string[],
    sentInOrder: readonly string[],
    sentVersion: (name: string) => string | undefined,
  ): void {
    // Envoy ends its error_detail with a newline ("…: Address already in use\n"), which would land mid-sentence in a diagnostic.
    const message = errorMessage.trim();
    state.inflightNonce = undefined;
    state.nacks++;
    this.env.metrics.nacks.inc({ type: shortType(state.typeUrl), variant: this.variant });
    const resourceNames = rejectedResourceNames(message, candidates, sentInOrder);
    state.lastNack = { message, resourceNames, at: new Date().toISOString() };
    this.env.warn('xDS client rejected a response (NACK); the type is parked until a newer snapshot', {
      stream: this.id,
      client: this.client,
      typeUrl: state.typeUrl,
      resourceNames,
      message,
    });
    if (this.group !== undefined) {
      const versions: Record<string, string> = {};
      for (const name of resourceNames) {
        const version = sentVersion(name);
        if (version !== undefined) versions[name] = version;
      }
      this.env.feedback.rejected({
        group: this.group,
        typeUrl: state.typeUrl,
        resourceNames,
        message,
        client: this.client,
        versions,
      });
    }
  }

  info(): StreamInfo {
    const types: TypeInfo[] = [];
    for (const typeUrl of servedTypes) {
      const state = this.types.get(typeUrl);
      if (!state) continue;
      types.push({
        typeUrl,
        subscribed: state.subscription.describe(),
        pending: state.inflight,
        pushes: state.pushes,
        acks: state.acks,
        nacks: state.nacks,
        lastNack: state.lastNack,
        ...state.info(),
      });
    }
    return {
      id: this.id,
      service: this.service,
      variant: this.variant,
      peer: this.peer,
      connectedAt: this.connectedAt,
      node: this.node ? { id: this.node.id ?? '', cluster: this.node.cluster ?? '' } : undefined,
      group: this.group,
      types,
    };
  }
}

export function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/** Desired content of a type as resources, with the retained ones the client already holds added back. */
export function withRetained(
  desired: Desired,
  held: ReadonlyMap<string, EncodedResource>,
): ReadonlyMap<string, EncodedResource> {
  if (desired.retained.size === 0) return desired.content.resources;
  const merged = new Map(desired.content.resources);
  for (const name of desired.retained) {
    const resource = held.get(name);
    if (resource) merged.set(name, resource);
  }
  return merged;
}
