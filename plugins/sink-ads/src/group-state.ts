import { type Snapshot, type XdsTypeUrl, xdsPushOrder } from '@attache/core';
import { contentVersion } from './content-version.js';
import type { EncodePool } from './encode-pool.js';
import { frameMessage } from './framed-message.js';
import { LazyEncoded, peekEncoded } from './lazy-encoded.js';
import { VirtualHostType } from './served-types.js';
import type { Subscription } from './subscription.js';
import type { VhdsIndex } from './vhds-index.js';
import type { EncodedResource, XdsCodec } from './xds-codec.js';

/** A response built once and written as is to every stream that needs it (the nonce is shared too). */
export interface SharedResponse {
  nonce: string;
  bytes: Uint8Array;
}

/** A delta response shared by every stream that holds exactly `from` and wants a view. */
export interface SharedDelta extends SharedResponse {
  resources: readonly EncodedResource[];
  removed: readonly string[];
}

/** Stands for "holds nothing" in the delta memo. */
const nothingHeld: ReadonlyMap<string, EncodedResource> = new Map();

/** Resources of one type that one stream should have, with their SotW version_info. */
export interface TypeContent {
  resources: ReadonlyMap<string, EncodedResource>;
  version: string;
  /** A view of a group state: its subscription key, shared by the streams that subscribe alike. */
  key?: string;
}

/**
 * One node group's current snapshot, encoded. Views (a type filtered by a
 * subscription) are memoised: the thousand streams that subscribe alike share
 * one map and one version hash.
 */
export class GroupState {
  private readonly views = new Map<string, TypeContent>();
  /** Per type, the names of resources sent only to clients that name them (XdsResource.byNameOnly). */
  private readonly byNameOnly = new Map<string, ReadonlySet<string>>();
  /** SotW response per view: one encoding for every stream that subscribes alike. */
  private readonly sotwResponses = new Map<TypeContent, SharedResponse>();
  /** SotW response with only what changed, per view and per view the stream holds (named types only). */
  private readonly sotwChangeResponses = new Map<
    TypeContent,
    Map<ReadonlyMap<string, EncodedResource>, SharedResponse>
  >();
  /** Delta response per view and per what the stream holds (a view of an earlier snapshot, or nothing). */
  private readonly deltaResponses = new Map<
    TypeContent,
    Map<ReadonlyMap<string, EncodedResource>, SharedDelta>
  >();

  constructor(
    readonly snapshot: Snapshot,
    private readonly byType: ReadonlyMap<string, ReadonlyMap<string, EncodedResource>>,
    /** The VHDS form (delta ADS streams with the `vhds` option): how VirtualHost subscriptions select. */
    readonly vhds?: VhdsIndex,
    /**
     * The previous state's views: a view whose content did not change is that
     * same object again, so a client holding it (by reference) is settled
     * without comparing a thousand versions, and the plan retains nothing.
     */
    private readonly priorViews?: ReadonlyMap<string, TypeContent>,
  ) {}

  /** This state's views so far, for the next state of the group. */
  viewsForNext(): ReadonlyMap<string, TypeContent> {
    return this.views;
  }

  resources(typeUrl: string): ReadonlyMap<string, EncodedResource> {
    return this.byType.get(typeUrl) ?? new Map();
  }

  view(subscription: Subscription): TypeContent {
    // A stream's subscription rarely changes between its evaluations: its view of this state is kept on it.
    const recalled = subscription.recalled(this) as TypeContent | undefined;
    if (recalled) return recalled;
    const key = subscription.key();
    const cached = this.views.get(key);
    if (cached) {
      // One key string for every stream subscribed alike (1,000 copies of 1,000 EDS names otherwise).
      if (cached.key !== undefined) subscription.adoptKey(cached.key);
      subscription.remember(this, cached);
      return cached;
    }
    const all = this.resources(subscription.typeUrl);
    let resources: ReadonlyMap<string, EncodedResource>;
    if (this.vhds && subscription.typeUrl === VirtualHostType) {
      resources = this.vhds.select(subscription);
    } else if (subscription.wildcard) {
      resources = this.wildcardResources(subscription, all);
    } else {
      const picked = new Map<string, EncodedResource>();
      for (const name of subscription.sortedNames()) {
        const resource = all.get(name);
        if (resource) picked.set(name, resource);
      }
      resources = picked;
    }
    const version = contentVersion(resources.values());
    const prior = this.priorViews?.get(key);
    const view = prior !== undefined && prior.version === version ? prior : { resources, version, key };
    if (prior !== undefined && prior.key !== undefined) subscription.adoptKey(prior.key);
    this.views.set(key, view);
    subscription.remember(this, view);
    return view;
  }

  /** What a wildcard subscription gets: every resource but those sent only by name, unless it names them too. */
  private wildcardResources(
    subscription: Subscription,
    all: ReadonlyMap<string, EncodedResource>,
  ): ReadonlyMap<string, EncodedResource> {
    let hidden = this.byNameOnly.get(subscription.typeUrl);
    if (hidden === undefined) {
      const names = new Set<string>();
      for (const r of this.snapshot.resources[subscription.typeUrl as XdsTypeUrl] ?? [])
        if (r.byNameOnly) names.add(r.name);
      hidden = names;
      this.byNameOnly.set(subscription.typeUrl, hidden);
    }
    if (hidden.size === 0) return all;
    const picked = new Map<string, EncodedResource>();
    for (const [name, resource] of all)
      if (!hidden.has(name) || subscription.names.has(name)) picked.set(name, resource);
    return picked;
  }

  /** The SotW response carrying `view`, encoded on first use and shared by every stream that is sent it. */
  sotwResponse(view: TypeContent, typeUrl: string, codec: XdsCodec, nextNonce: () => string): SharedResponse {
    let shared = this.sotwResponses.get(view);
    if (!shared) {
      const nonce = nextNonce();
      shared = {
        nonce,
        bytes: frameMessage(
          codec.sotwResponse({
            versionInfo: view.version,
            typeUrl,
            nonce,
            resources: [...view.resources.values()],
          }),
        ),
      };
      this.sotwResponses.set(view, shared);
    }
    return shared;
  }

  /**
   * For the types where a SotW response need not repeat what the client holds
   * (RouteConfiguration, ClusterLoadAssignment, Secret: an omission deletes
   * nothing, and Envoy updates only the resources a response names): the
   * response carrying only the resources of `view` that differ from `held`,
   * the view the stream last ACKed. Shared by every stream in that position.
   */
  sotwChanges(
    held: ReadonlyMap<string, EncodedResource>,
    view: TypeContent,
    typeUrl: string,
    codec: XdsCodec,
    nextNonce: () => string,
  ): SharedResponse {
    let byHeld = this.sotwChangeResponses.get(view);
    if (!byHeld) {
      byHeld = new Map();
      this.sotwChangeResponses.set(view, byHeld);
    }
    let shared = byHeld.get(held);
    if (!shared) {
      const changed: EncodedResource[] = [];
      for (const [name, resource] of view.resources) {
        if (held.get(name)?.version !== resource.version) changed.push(resource);
      }
      const nonce = nextNonce();
      shared = {
        nonce,
        bytes: frameMessage(
          codec.sotwResponse({ versionInfo: view.version, typeUrl, nonce, resources: changed }),
        ),
      };
      byHeld.set(held, shared);
    }
    return shared;
  }

  /**
   * The delta response that brings a stream holding exactly `held` (the
   * resources of a view it ACKed earlier; undefined: nothing) to `view`:
   * what changed and what went away, computed and encoded once for every
   * stream in the same position. Cost per stream: a map lookup.
   */
  deltaResponse(
    held: ReadonlyMap<string, EncodedResource> | undefined,
    view: TypeContent,
    typeUrl: string,
    codec: XdsCodec,
    nextNonce: () => string,
  ): SharedDelta {
    const from = held ?? nothingHeld;
    let byHeld = this.deltaResponses.get(view);
    if (!byHeld) {
      byHeld = new Map();
      this.deltaResponses.set(view, byHeld);
    }
    let shared = byHeld.get(from);
    if (!shared) {
      const resources: EncodedResource[] = [];
      for (const [name, resource] of view.resources) {
        if (from.get(name)?.version !== resource.version) resources.push(resource);
      }
      const removed: string[] = [];
      for (const name of from.keys()) if (!view.resources.has(name)) removed.push(name);
      removed.sort();
      const nonce = nextNonce();
      shared = {
        nonce,
        resources,
        removed,
        bytes: frameMessage(
          codec.deltaResponse({
            systemVersionInfo: this.snapshot.version,
            typeUrl,
            nonce,
            resources,
            removedResources: removed,
          }),
        ),
      };
      byHeld.set(from, shared);
    }
    return shared;
  }
}

/**
 * Encode a snapshot, reusing the encoding of every resource whose content
 * hash did not change since the previous snapshot of the group.
 */
export function encodeSnapshot(
  codec: XdsCodec,
  snapshot: Snapshot,
  previous: GroupState | undefined,
  lazyTypes?: ReadonlySet<string>,
): GroupState {
  const steps = encodeSteps(codec, snapshot, previous, lazyTypes);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The same without holding the event loop: resources that come with their
 * JSON text (large ones) are encoded by `pool` in another thread, the others
 * here in slices, with a turn of the event loop (xDS streams, health probes)
 * every `sliceMs`.
 */
export async function encodeSnapshotSliced(
  codec: XdsCodec,
  snapshot: Snapshot,
  previous: GroupState | undefined,
  pool: EncodePool | undefined,
  lazyTypes?: ReadonlySet<string>,
  sliceMs = 8,
): Promise<GroupState> {
  const byType = new Map<XdsTypeUrl, ReadonlyMap<string, EncodedResource>>();
  let since = performance.now();
  for (const typeUrl of xdsPushOrder) {
    const before = previous?.resources(typeUrl);
    if (lazyTypes?.has(typeUrl)) {
      byType.set(typeUrl, lazily(codec, snapshot, typeUrl, before));
      continue;
    }
    const entries: Array<EncodedResource | Promise<EncodedResource>> = [];
    for (const resource of snapshot.resources[typeUrl] ?? []) {
      const reused = peekEncoded(before, resource.name);
      if (reused && reused.version === resource.version) {
        entries.push(reused);
        continue;
      }
      if (pool && resource.text !== undefined) {
        entries.push(
          pool
            .encode(resource.name, resource.version, resource.text)
            .catch(() => codec.encodeResource(resource.name, resource.version, resource.resource)),
        );
        continue;
      }
      entries.push(codec.encodeResource(resource.name, resource.version, resource.resource));
      if (performance.now() - since >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
    const encoded = new Map<string, EncodedResource>();
    for (const entry of await Promise.all(entries)) encoded.set(entry.name, entry);
    byType.set(typeUrl, encoded);
  }
  return new GroupState(snapshot, byType, undefined, previous?.viewsForNext());
}

/** A type encoded when first read (LazyEncoded), reusing `before` by version. */
function lazily(
  codec: XdsCodec,
  snapshot: Snapshot,
  typeUrl: XdsTypeUrl,
  before: ReadonlyMap<string, EncodedResource> | undefined,
): LazyEncoded {
  const sources = new Map((snapshot.resources[typeUrl] ?? []).map((r) => [r.name, r] as const));
  return new LazyEncoded(sources, codec, before);
}

/** Encodes one resource per step. */
function* encodeSteps(
  codec: XdsCodec,
  snapshot: Snapshot,
  previous: GroupState | undefined,
  lazyTypes: ReadonlySet<string> | undefined,
): Generator<void, GroupState, void> {
  const byType = new Map<XdsTypeUrl, ReadonlyMap<string, EncodedResource>>();
  for (const typeUrl of xdsPushOrder) {
    const before = previous?.resources(typeUrl);
    if (lazyTypes?.has(typeUrl)) {
      byType.set(typeUrl, lazily(codec, snapshot, typeUrl, before));
      continue;
    }
    const encoded = new Map<string, EncodedResource>();
    for (const resource of snapshot.resources[typeUrl] ?? []) {
      const reused = peekEncoded(before, resource.name);
      if (reused && reused.version === resource.version) {
        encoded.set(resource.name, reused);
        continue;
      }
      encoded.set(resource.name, codec.encodeResource(resource.name, resource.version, resource.resource));
      yield;
    }
    byType.set(typeUrl, encoded);
  }
  return new GroupState(snapshot, byType, undefined, previous?.viewsForNext());
}
