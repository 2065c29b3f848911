import type { Desired } from './delivery-plan.js';
import type { GroupState } from './group-state.js';
import { KnownVersions } from './known-versions.js';
import { VirtualHostType } from './served-types.js';
import type { DeltaDiscoveryRequestJson, EncodedResource } from './xds-codec.js';
import { TypeState, XdsStream } from './xds-stream.js';

/** Marks a removal in the parked (NACKed) versions: a removal has no version of its own. */
const removal = '';

interface DeltaInflight {
  resources: readonly EncodedResource[];
  removed: readonly string[];
  /** A shared response: once ACKed, the client holds exactly these (if nothing else moved since `epoch`). */
  target?: ReadonlyMap<string, EncodedResource>;
  epoch?: number;
}

class DeltaTypeState extends TypeState {
  /** Name → version the client holds (from initial_resource_versions, then from what it ACKed). */
  readonly known = new KnownVersions();
  /** Explicitly subscribed names already reported absent (in removed_resources). */
  readonly reportedAbsent = new Set<string>();
  /** Name → version the client NACKed: not sent again until the target version differs. */
  readonly parked = new Map<string, string>();
  sent: DeltaInflight | undefined;

  /**
   * VHDS names its subscriptions by route configuration (namespace) and by
   * on-demand alias, never by the names of the virtual hosts it is sent: the
   * view answers every name (unresolved aliases included), so no name is ever
   * reported absent, and what the client holds is covered by its namespace.
   */
  get vhds(): boolean {
    return this.typeUrl === VirtualHostType && this.vhdsServed;
  }

  /** Set on each push: the group state serves VHDS (the sink's `vhds` option). */
  vhdsServed = false;
  /**
   * Names Envoy (re)subscribed since the last response. Each on-demand alias
   * among them is owed an answer even when the client already holds the virtual
   * host it resolves to: Envoy's on-demand filter holds the request until a
   * response names the alias (it asks again for a path its virtual host lacks,
   * and for the same unknown host on every request).
   */
  readonly owed = new Set<string>();

  /**
   * Whether the subscription still covers a resource the client holds. A
   * VirtualHost is held under its own name, never the name subscribed (a table,
   * an alias): what the client should drop is what the next view lacks.
   */
  covers(name: string): boolean {
    return this.typeUrl === VirtualHostType || this.subscription.includes(name);
  }

  clientNames(): Iterable<string> {
    return this.known.names();
  }

  /** Holds nothing: cheaper than listing the names. */
  holdsNothing(): boolean {
    return this.known.empty;
  }

  holdsExactly(resources: ReadonlyMap<string, EncodedResource>): boolean {
    return this.known.isExactly(resources);
  }

  /**
   * Whether the stream is where a shared response fits: it holds exactly a
   * shared view (or nothing), and has nothing of its own (parked rejections,
   * names reported absent, names it asked for that do not exist, retained
   * clusters).
   */
  canShare(desired: Desired): boolean {
    if (desired.retained.size > 0 || this.parked.size > 0 || this.reportedAbsent.size > 0) return false;
    if (this.known.exactBase() === false) return false;
    return (
      this.subscription.wildcard ||
      this.vhds ||
      desired.content.resources.size === this.subscription.names.size
    );
  }

  /** The changes that bring the client to `desired`, skipping what it rejected. */
  changes(desired: Desired): DeltaInflight {
    const resources: EncodedResource[] = [];
    for (const [name, resource] of desired.content.resources) {
      if (this.known.get(name) === resource.version) continue;
      if (this.parked.get(name) === resource.version) continue;
      resources.push(resource);
    }
    const removed: string[] = [];
    for (const name of this.known.names()) {
      if (desired.content.resources.has(name) || desired.retained.has(name)) continue;
      if (this.parked.get(name) === removal) continue;
      removed.push(name);
    }
    // A name asked for by name that does not exist is reported once, so the client stops waiting for it.
    for (const name of this.vhds ? [] : this.subscription.names) {
      if (desired.content.resources.has(name) || this.known.has(name) || this.reportedAbsent.has(name))
        continue;
      removed.push(name);
    }
    removed.sort();
    return { resources, removed };
  }

  settled(desired: Desired): boolean {
    if (desired.retained.size === 0 && this.known.isExactly(desired.content.resources)) return true;
    for (const [name, resource] of desired.content.resources) {
      if (this.known.get(name) !== resource.version) return false;
    }
    for (const name of this.known.names()) {
      if (!desired.content.resources.has(name) && !desired.retained.has(name)) return false;
    }
    return true;
  }

  info() {
    return { resources: this.known.size };
  }
}

/** Incremental xDS (DeltaAggregatedResources, Delta{Listeners,Routes,…}). */
export class DeltaStream extends XdsStream<DeltaTypeState> {
  readonly variant = 'delta' as const;

  protected createTypeState(typeUrl: string): DeltaTypeState {
    return new DeltaTypeState(typeUrl);
  }

  receive(request: DeltaDiscoveryRequestJson): void {
    const state = this.admit(request.typeUrl, request.node);
    if (!state) return;
    const nonce = request.responseNonce ?? '';
    const fresh = state.pushes === 0 && nonce === '';
    if (fresh) {
      // Reconnect: the client tells us what it already holds, so unchanged resources are not resent.
      for (const [name, version] of Object.entries(request.initialResourceVersions ?? {}))
        state.known.set(name, version);
    }
    // Subscription changes are deltas: they count even when the nonce is stale, or they would be lost.
    if (state.typeUrl === VirtualHostType)
      for (const name of request.resourceNamesSubscribe ?? []) if (name !== '*') state.owed.add(name);
    const dropped = state.subscription.update(
      request.resourceNamesSubscribe ?? [],
      request.resourceNamesUnsubscribe ?? [],
    );
    for (const name of dropped) {
      if (!state.covers(name)) {
        state.known.delete(name);
        state.parked.delete(name);
      }
      state.reportedAbsent.delete(name);
    }
    const changedInterest =
      (request.resourceNamesSubscribe?.length ?? 0) > 0 ||
      (request.resourceNamesUnsubscribe?.length ?? 0) > 0;
    // An ACK that changes no interest cannot uncover a name: no walk over what the client holds.
    if (changedInterest && !state.subscription.wildcard) {
      for (const name of state.known.names()) if (!state.covers(name)) state.known.delete(name);
    }
    if (nonce !== '' && nonce === state.inflightNonce) {
      this.settle(state, request.errorDetail ? (request.errorDetail.message ?? '') : undefined);
    }
    this.schedule();
  }

  /**
   * An ACK in delta is about the resources of that response only: while a
   * resource the client rejected is still parked (not sent again since), the
   * rejection stands, even if the client took other resources of the type.
   */
  protected override stillRefused(state: DeltaTypeState): boolean {
    const names = state.lastNack?.resourceNames;
    return names?.some((name) => state.parked.has(name)) === true;
  }

  private settle(state: DeltaTypeState, nackMessage: string | undefined): void {
    const sent = state.sent ?? { resources: [], removed: [] };
    if (nackMessage !== undefined) {
      for (const resource of sent.resources) state.parked.set(resource.name, resource.version);
      for (const name of sent.removed) state.parked.set(name, removal);
      const names = [...sent.resources.map((r) => r.name), ...sent.removed];
      this.rejected(state, nackMessage, names, names, (name) => state.parked.get(name));
      return;
    }
    if (sent.target !== undefined && sent.epoch === state.known.epoch) {
      // A shared response: the client now holds exactly the view it carried, kept by reference.
      state.known.rebase(sent.target);
      this.acknowledged(state);
      return;
    }
    for (const resource of sent.resources) {
      state.known.set(resource.name, resource.version);
      state.parked.delete(resource.name);
      state.reportedAbsent.delete(resource.name);
    }
    for (const name of sent.removed) {
      state.parked.delete(name);
      state.known.delete(name);
      if (state.subscription.names.has(name)) state.reportedAbsent.add(name);
    }
    if (sent.target !== undefined && state.known.equals(sent.target)) state.known.rebase(sent.target);
    this.acknowledged(state);
  }

  /** The answers owed to on-demand aliases (see `owed`), taken from the view; clears the debt. */
  private owedAnswers(state: DeltaTypeState, desired: Desired, group: GroupState): EncodedResource[] {
    if (state.owed.size === 0) return [];
    const answers: EncodedResource[] = [];
    const index = group.vhds;
    if (index) {
      for (const name of state.owed) {
        if (!index.isAlias(name)) continue;
        const answer = desired.content.resources.get(index.answerName(name));
        if (answer && !answers.includes(answer)) answers.push(answer);
      }
    }
    state.owed.clear();
    return answers;
  }

  protected push(state: DeltaTypeState, desired: Desired, group: GroupState): void {
    state.vhdsServed = group.vhds !== undefined;
    const owedAnswers = this.owedAnswers(state, desired, group);
    if (owedAnswers.length === 0 && state.canShare(desired)) {
      const held = state.known.exactBase() || undefined;
      if (held === desired.content.resources && state.pushes > 0) return;
      const shared = group.deltaResponse(
        held,
        desired.content,
        state.typeUrl,
        this.env.codec,
        this.env.nextNonce,
      );
      const firstWildcardAnswer = state.pushes === 0 && state.subscription.wildcard;
      if (shared.resources.length === 0 && shared.removed.length === 0 && !firstWildcardAnswer) return;
      if (shared.nonce !== state.lastNonce) {
        state.sent = {
          resources: shared.resources,
          removed: shared.removed,
          target: desired.content.resources,
          epoch: state.known.epoch,
        };
        this.send(state, shared.nonce, shared.bytes);
        return;
      }
    }
    const changes = state.changes(desired);
    const extra = owedAnswers.filter((answer) => !changes.resources.includes(answer));
    if (extra.length > 0) changes.resources = [...changes.resources, ...extra];
    // Once ACKed, a client that then holds exactly the view goes back to the shared path (a reconnect does).
    if (desired.retained.size === 0) changes.target = desired.content.resources;
    // A wildcard subscription to a type that has no resources still gets one (empty) answer:
    // Envoy counts the type as initialised only on a response, and would otherwise wait out its
    // initial_fetch_timeout (15 s per type) before becoming ready (found on a real Envoy: a
    // configuration with no listeners and no clusters took 30 s).
    const firstWildcardAnswer = state.pushes === 0 && state.subscription.wildcard;
    if (changes.resources.length === 0 && changes.removed.length === 0 && !firstWildcardAnswer) return;
    const nonce = this.env.nextNonce();
    state.sent = changes;
    this.send(
      state,
      nonce,
      this.env.codec.deltaResponse({
        systemVersionInfo: group.snapshot.version,
        typeUrl: state.typeUrl,
        nonce,
        resources: changes.resources,
        removedResources: changes.removed,
      }),
    );
  }
}
