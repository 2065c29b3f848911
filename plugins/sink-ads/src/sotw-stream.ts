import { TypeUrl } from '@attache/core';
import { contentVersion } from './content-version.js';
import type { Desired } from './delivery-plan.js';
import type { GroupState } from './group-state.js';
import type { DiscoveryRequestJson, EncodedResource } from './xds-codec.js';
import { TypeState, withRetained, XdsStream } from './xds-stream.js';

/** Types whose SotW response is the full state: a subscribed resource left out is deleted. */
function isFullStateType(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster;
}

interface SentResponse {
  version: string;
  resources: ReadonlyMap<string, EncodedResource>;
}

class SotwTypeState extends TypeState {
  /** What the client last ACKed. */
  acked: SentResponse | undefined;
  /** What is out, or was last sent. */
  sent: SentResponse | undefined;
  /** The version the client NACKed: not sent again until the desired version differs. */
  nackedVersion: string | undefined;

  clientNames(): Iterable<string> {
    return this.acked?.resources.keys() ?? [];
  }

  holdsNothing(): boolean {
    return (this.acked?.resources.size ?? 0) === 0;
  }

  /**
   * The client ACKed this very map (a shared view: streams are sent the view
   * itself when nothing is retained). Lets the plan skip walking 1,000 cluster
   * and endpoint names per stream and evaluation while routes are in flight.
   */
  holdsExactly(resources: ReadonlyMap<string, EncodedResource>): boolean {
    return this.acked !== undefined && this.acked.resources === resources;
  }

  content(desired: Desired): SentResponse {
    if (desired.retained.size === 0) return desired.content;
    const resources = withRetained(desired, this.acked?.resources ?? new Map());
    return { resources, version: contentVersion(resources.values()) };
  }

  /** The client holds `next`: for full-state types exactly, for named types at least (an omission deletes nothing). */
  holds(next: SentResponse): boolean {
    if (this.acked?.version === next.version) return true;
    if (isFullStateType(this.typeUrl)) return false;
    for (const [name, resource] of next.resources) {
      if (this.acked?.resources.get(name)?.version !== resource.version) return false;
    }
    return true;
  }

  settled(desired: Desired): boolean {
    return this.holds(this.content(desired));
  }

  info() {
    return {
      sentVersion: this.sent?.version,
      ackedVersion: this.acked?.version,
      resources: this.acked?.resources.size ?? 0,
    };
  }
}

/** State-of-the-world xDS (StreamAggregatedResources, Stream{Listeners,Routes,…}). */
export class SotwStream extends XdsStream<SotwTypeState> {
  readonly variant = 'sotw' as const;

  protected createTypeState(typeUrl: string): SotwTypeState {
    return new SotwTypeState(typeUrl);
  }

  receive(request: DiscoveryRequestJson): void {
    const state = this.admit(request.typeUrl, request.node);
    if (!state) return;
    const nonce = request.responseNonce ?? '';
    // A request answering anything but our latest response is stale: the spec says ignore it whole.
    if (nonce !== '' && nonce !== state.lastNonce) return;
    if (nonce !== '' && state.inflightNonce === nonce) {
      const sent = state.sent;
      if (request.errorDetail) {
        state.nackedVersion = sent?.version;
        this.rejected(
          state,
          request.errorDetail.message ?? '',
          changedNames(sent, state.acked),
          [...(sent?.resources.keys() ?? [])],
          (name) => sent?.resources.get(name)?.version,
        );
      } else {
        state.acked = sent;
        state.nackedVersion = undefined;
        this.acknowledged(state);
      }
    }
    state.subscription.replace(request.resourceNames ?? []);
    this.schedule();
  }

  protected push(state: SotwTypeState, desired: Desired, group: GroupState): void {
    const next = state.content(desired);
    // Parked: the client rejected exactly this; only a newer snapshot (or subscription) moves it.
    if (next.version === state.nackedVersion) return;
    if (isFullStateType(state.typeUrl)) {
      // The first request of a stream is always answered, even with an empty list: it tells the client what is absent.
      if (state.sent !== undefined && state.holds(next)) return;
    } else if (next.resources.size === 0 || state.holds(next)) {
      return;
    }
    state.sent = next;
    if (next === desired.content) {
      // The usual case: the stream gets its subscription's view as is, so the encoded response is the
      // one every stream subscribed alike gets (nonce included: a nonce only has to be new on its stream).
      // For named types a client that ACKed an earlier view is sent only what changed since.
      const held = isFullStateType(state.typeUrl) ? undefined : state.acked?.resources;
      const shared = held
        ? group.sotwChanges(held, next, state.typeUrl, this.env.codec, this.env.nextNonce)
        : group.sotwResponse(next, state.typeUrl, this.env.codec, this.env.nextNonce);
      if (shared.nonce !== state.lastNonce) {
        this.send(state, shared.nonce, shared.bytes);
        return;
      }
    }
    const nonce = this.env.nextNonce();
    this.send(
      state,
      nonce,
      this.env.codec.sotwResponse({
        versionInfo: next.version,
        typeUrl: state.typeUrl,
        nonce,
        resources: [...next.resources.values()],
      }),
    );
  }
}

/** Resources of a response that differ from what the client held: the suspects of a NACK. */
function changedNames(sent: SentResponse | undefined, acked: SentResponse | undefined): string[] {
  if (!sent) return [];
  const changed: string[] = [];
  for (const [name, resource] of sent.resources) {
    if (acked?.resources.get(name)?.version !== resource.version) changed.push(name);
  }
  return changed.length > 0 ? changed : [...sent.resources.keys()];
}
