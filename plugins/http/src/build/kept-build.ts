import {
  type DiagnosticInput,
  type IRFilterChain,
  type IRHttpConnectionManager,
  type IRListener,
  type IRRoute,
  type IRRouteConfig,
  type IRVirtualHost,
  KeptByString,
  mergeProvenance,
  type ResourceRef,
  refKey,
  type StoredResource,
} from '@attache/core';
import type { HttpHost, HttpListener } from '../model.js';
import { sameObjects } from '../same-objects.js';
import type { MappingSpec } from '../schemas/mapping.js';
import type { RouteGroup } from './groups.js';
import type { KeptHttpModel } from './http-model.js';
import { KeptGroups } from './kept-groups.js';

/**
 * What `http.build-listeners` keeps from one compile to the next under an
 * incremental compiler, for one Module config (a new state when it changes).
 * Everything is keyed by object identity or compared field by field, never
 * by a salt string built per Mapping: an unchanged Mapping keeps its route
 * objects, a Host whose routes are the same objects keeps its route list and
 * virtual host, and a route configuration made of the same virtual hosts is
 * the same object again, so lowering finds all of them by identity.
 */
export class BuildState {
  /** The compile using the state (entries of older compiles are dropped when a key is recomputed). */
  generation = 0;
  /** A Mapping's routes per Host situation, by its normalised spec (kept by ingest while unchanged). */
  readonly routes = new WeakMap<MappingSpec, KeptRouteEntry[]>();
  /** The last route list of each Host per security model. */
  readonly lists = new KeptByString<IRRoute[]>();
  /** A Host's route list (of `lists`), group by group: reused while the Hosts are the same. */
  readonly segments = new WeakMap<readonly IRRoute[], Segments>();
  /** The virtual host made of a route list. */
  readonly virtualHosts = new WeakMap<readonly IRRoute[], IRVirtualHost>();
  /** Route configurations by name, with the Listener ref they were made for. */
  readonly routeConfigs = new KeptByString<{ listener: ResourceRef; config: IRRouteConfig }>();
  /** Route groups by prefix bucket, and what they attach to. */
  readonly groups = new KeptGroups();
  /** The last TLS filter chain by its route configuration's name. */
  readonly chains = new KeptByString<IRFilterChain>();
  /** The last IR listener by name, and its connection manager by Listener id. */
  readonly listeners = new KeptByString<IRListener>();
  readonly connectionManagers = new KeptByString<IRHttpConnectionManager>();
  /** Provenance merged from a Listener and its Hosts, by what it is for. */
  readonly provenance = new KeptByString<{
    listener: ResourceRef;
    hosts: Array<ResourceRef | undefined>;
    provenance: ResourceRef[];
  }>();
  /** What each Listener (by id) was built into last, for patching by the Hosts an edit touches. */
  readonly listenerBuilds = new Map<string, ListenerBuild>();
  /** The HTTP model's views published last (http-model.ts). */
  readonly model: KeptHttpModel = {};
  /** The Hosts each Listener bound last (build-http.ts boundHostsOf), with what decided it. */
  bound?: {
    key: string;
    hosts: readonly HttpHost[];
    namespaces: readonly StoredResource[];
    lists: ReadonlyArray<readonly HttpHost[]>;
  };
  /** The probe routes (they depend on the Module alone), with the Module ref they carry. */
  probes?: { ref: ResourceRef | undefined; routes: IRRoute[] };

  begin(): void {
    this.generation++;
  }

  /**
   * Drops what the compile before did not use. Skipped by a compile that patches every
   * Listener's last build (the same bound Hosts): it reads only the entries of the Hosts
   * it touches, and the others stay valid (a Host bound then is bound now).
   */
  rotate(): void {
    this.lists.rotate();
    this.routeConfigs.rotate();
    this.listeners.rotate();
    this.chains.rotate();
    this.connectionManagers.rotate();
    this.provenance.rotate();
  }
}

/** A Host's route list group by group: each group's routes on it (`routes[i]` of `groups[i]`). */
export interface Segments {
  readonly groups: readonly RouteGroup[];
  readonly routes: IRRoute[][];
}

/**
 * One Listener's build in the last compile: while the Listener, its connection manager and its
 * bound Hosts (the same objects, in order) are the same, only the route configurations of the
 * Hosts whose routes may differ are made again; the chains and the listener are the same.
 */
export interface ListenerBuild {
  listener: HttpListener;
  bound: readonly HttpHost[];
  hcm: IRHttpConnectionManager;
  /** Diagnostics the build reported (SNI problems), reported again when it is patched. */
  reports: DiagnosticInput[];
  /** Per SNI name, in chain order: its route configuration's name, Hosts and configuration. */
  tls: Array<{ name: string; hosts: readonly HttpHost[]; config: IRRouteConfig }>;
  /** Each Host's index in `tls`, if it has a TLS chain. */
  tlsOf: Map<HttpHost, number>;
  /** Each Host's index in `bound`, which is its virtual host's in the cleartext configuration. */
  position: Map<HttpHost, number>;
  cleartext: IRRouteConfig;
  ir: IRListener;
}

/** The Listener's last build when the same Listener binds the same Hosts (objects, in order). */
export function keptListenerBuild(
  state: BuildState,
  listener: HttpListener,
  bound: readonly HttpHost[],
  same: (a: HttpListener, b: HttpListener) => boolean,
): ListenerBuild | undefined {
  const before = state.listenerBuilds.get(listener.id);
  if (before === undefined || !sameObjects(before.bound, bound)) return undefined;
  return before.listener === listener || same(before.listener, listener) ? before : undefined;
}

/** Routes a Mapping made in one situation: everything they depend on besides the spec and the Module. */
export interface KeptRouteEntry {
  /** Insecure action, security model, and whether an :authority condition applies. */
  situation: string;
  /** The :authority condition's identity ('' without one). */
  authority: string;
  id: string;
  ref: ResourceRef;
  cumulative: number | undefined;
  cluster: string | undefined;
  upstreamAuthority: string | undefined;
  /** '' for a single plain Mapping's group; the group's match, runtime key and shadows otherwise. */
  group: string;
  routes: IRRoute[];
  generation: number;
}

/** `routes` itself, or the last list of this key when it holds exactly the same route objects. */
export function sameRoutesAsBefore(state: BuildState, key: string, routes: IRRoute[]): IRRoute[] {
  const before = state.lists.get(key);
  if (before !== undefined && before.length === routes.length) {
    let same = true;
    for (let i = 0; i < routes.length; i++) {
      if (before[i] !== routes[i]) {
        same = false;
        break;
      }
    }
    if (same) return before;
  }
  state.lists.set(key, routes);
  return routes;
}

/**
 * mergeProvenance([listener], ...each Host's ref) (a synthesized Host has none), kept by `key`
 * while the Listener and Host refs are the same objects: thousands of Hosts need no sort.
 */
export function keptHostsProvenance(
  state: BuildState | undefined,
  key: string,
  listener: ResourceRef,
  hosts: readonly HttpHost[],
): ResourceRef[] {
  const refs = hosts.map((h) => (h.synthesized ? undefined : h.ref));
  const before = state?.provenance.get(key);
  if (before !== undefined && before.listener === listener && before.hosts.length === refs.length) {
    let same = true;
    for (let i = 0; i < refs.length; i++) {
      if (before.hosts[i] !== refs[i]) {
        same = false;
        break;
      }
    }
    if (same) return before.provenance;
  }
  const provenance = hostsProvenance(listener, refs);
  state?.provenance.set(key, { listener, hosts: refs, provenance });
  return provenance;
}

/**
 * mergeProvenance([listener], ...each ref as a list): a route configuration of one Host (one per
 * Host when Hosts differ in TLS, thousands of them) is ordered by hand, without a map and a sort.
 */
export function hostsProvenance(
  listener: ResourceRef,
  refs: ReadonlyArray<ResourceRef | undefined>,
): ResourceRef[] {
  if (refs.length <= 1) {
    const host = refs[0];
    if (host === undefined) return [listener];
    const a = refKey(listener);
    const b = refKey(host);
    return a === b ? [listener] : a < b ? [listener, host] : [host, listener];
  }
  return mergeProvenance(
    [listener],
    refs.filter((r): r is ResourceRef => r !== undefined),
  );
}
