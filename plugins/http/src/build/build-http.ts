import { type IRRoute, type PassContext, versionHash } from '@attache/core';
import { configOf } from '../config.js';
import { deepEqual } from '../finalize/share-routes.js';
import { hostGlobsIntersect } from '../hostglob.js';
import { ExtKey, type HttpHost, type HttpListener, type HttpMapping, type HttpModule } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import { sameObjects } from '../same-objects.js';
import { isEmptySelector, selectorMatches } from '../selector.js';
import { GroupIndex } from './association.js';
import { buildRouteGroups, type RouteGroup } from './groups.js';
import { HostsByName } from './hosts-by-name.js';
import { publishHttpModel } from './http-model.js';
import { BuildState, keptListenerBuild, type Segments, sameRoutesAsBefore } from './kept-build.js';
import { KeptClusters } from './kept-clusters.js';
import {
  attaches,
  insertionPoint,
  type KeptGroups,
  type ListenerBinding,
  sameBindings,
} from './kept-groups.js';
import { buildListener, listenerBindsHost } from './listeners.js';
import { probeRoutes } from './module-probes.js';
import { hostRoutes, type KeptRoutes, type RouteMemo, type SecurityModel } from './routes.js';

/** Listeners Emissary 1.x created by itself; opt-in here (plugin config defaultListeners). */
function defaultListeners(namespace: string): HttpListener[] {
  const make = (name: string, port: number, tls: boolean): HttpListener => ({
    ref: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Listener', namespace, name },
    id: `${namespace}/${name}`,
    name,
    namespace,
    labels: {},
    port,
    stack: tls ? ['TLS', 'HTTP', 'TCP'] : ['HTTP', 'TCP'],
    securityModel: 'XFP',
    hostBinding: { from: 'ALL' },
  });
  return [make('default-http', 8080, false), make('default-https', 8443, true)];
}

/** Clusters from the resolved upstreams, merged by (content-derived) name. */
export function buildClusters(ctx: PassContext): void {
  const upstreams =
    (ctx.ir.ext[ExtKey.upstreams] as ReadonlyMap<string, Upstream> | undefined) ??
    new Map<string, Upstream>();
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  // Under an incremental compiler, clusters are kept (kept-clusters.ts); a full compile makes them anew.
  const kept = ctx.memo?.reuse(keptClustersKey, '', () => new KeptClusters()) ?? new KeptClusters(false);
  const clusters = kept.update(mappings, upstreams);
  const owned: string[] = [];
  const record = ctx.ir.clusters;
  // forEach rather than for-of: no [name, value] pair made per cluster (3,651 every edit).
  clusters.forEach((users, name) => {
    record[name] = users.ir;
    owned.push(name);
  });
  ctx.ir.ext[ExtKey.ownedClusters] = owned;
}

const keptClustersKey = {};

const buildStateKey = {};

/** Route groups, Host association, virtual hosts, filter chains and listeners. */
export function buildHttp(ctx: PassContext): void {
  const config = configOf(ctx.config);
  const module = ctx.ir.ext[ExtKey.module] as HttpModule;
  const hosts = (ctx.ir.ext[ExtKey.hosts] as HttpHost[] | undefined) ?? [];
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  const upstreams =
    (ctx.ir.ext[ExtKey.upstreams] as ReadonlyMap<string, Upstream> | undefined) ??
    new Map<string, Upstream>();
  let listeners = (ctx.ir.ext[ExtKey.listeners] as HttpListener[] | undefined) ?? [];
  if (listeners.length === 0 && config.defaultListeners)
    listeners = defaultListeners(config.ambassadorNamespace);

  // Under an incremental compiler, an unchanged Mapping keeps its route objects from the last compile.
  const state = ctx.memo?.reuse(buildStateKey, versionHash(module.config), () => new BuildState());
  state?.begin();
  const selectors = hosts.filter((h) => !isEmptySelector(h.mappingSelector));
  // Without label selectors, groups are kept per prefix bucket and only Hosts an edit touches
  // build their routes again (kept-groups.ts); with them, groups depend on the Hosts too.
  if (state && selectors.length > 0) state.groups.reset();
  const keptGroups = state && selectors.length === 0 ? state.groups : undefined;
  let groups: RouteGroup[];
  let dirty: Set<HttpHost> | undefined;
  let changed: Set<HttpMapping> | undefined;
  let added: RouteGroup[] = [];
  let gone: Set<RouteGroup> | undefined;
  let patched = false;
  const namespaceLabels = namespaceLabelIndex(ctx);
  // Under which model each Listener binds which Hosts: the route lists this compile uses.
  const boundLists = boundHostsOf(ctx, state, listeners, hosts, namespaceLabels);
  const bindings: ListenerBinding[] = listeners.map((listener, i) => ({
    model: listener.securityModel,
    bound: boundLists[i]!,
  }));
  if (keptGroups) {
    const grouped = keptGroups.group(ctx, mappings, upstreams);
    groups = grouped.groups;
    patched = grouped.patched;
    // The same Host objects as last compile (ingest and Host TLS keep them): the same key, not built again.
    const last = keptGroups.hostsKey !== undefined ? keptGroups.hostsList : undefined;
    const hostsKey = last !== undefined && sameObjects(last, hosts) ? keptGroups.hostsKey : hostsKeyOf(hosts);
    keptGroups.hostsList = hosts.slice();
    if (keptGroups.hostsKey === hostsKey) {
      // The same Hosts as last compile: only those a new or gone group attaches to change.
      changed = grouped.changed;
      added = grouped.added;
      gone = new Set(grouped.gone);
      dirty = new Set();
      const touched = [...grouped.added, ...grouped.gone];
      if (touched.length > 64) for (const h of hosts) dirty.add(h);
      else {
        const index = hostIndexOf(keptGroups, hosts);
        const add = (h: HttpHost) => dirty!.add(h);
        for (const g of touched) index.forEachAttached(g, add);
      }
    } else keptGroups.hostGroups = new Map();
    keptGroups.hostsKey = hostsKey;
    // The same Hosts, but a Listener now binds others or under another security model: other
    // route lists are in use, and any Mapping's route names may differ. Built as for new Hosts.
    if (dirty && !(keptGroups.bindings && sameBindings(keptGroups.bindings, bindings))) {
      changed = undefined;
      added = [];
      gone = undefined;
      dirty = undefined;
      keptGroups.hostGroups = new Map();
    }
    keptGroups.bindings = bindings;
  } else {
    groups = buildRouteGroups(ctx, mappings, selectingHostsOf(selectors));
  }
  let index: GroupIndex | undefined;
  const groupsByHost = new Map<string, RouteGroup[]>();
  const groupsOf = (host: HttpHost): RouteGroup[] => {
    let list = groupsByHost.get(host.id);
    if (list === undefined) {
      const before = dirty !== undefined ? keptGroups?.hostGroups.get(host.id) : undefined;
      if (before !== undefined) {
        // The same Hosts as last compile: its groups then, without the gone ones, with the new ones.
        list = gone!.size > 0 ? before.filter((g) => !gone!.has(g)) : before.slice();
        for (const g of added) if (attaches(g, host)) list.splice(insertionPoint(list, g), 0, g);
      } else {
        index ??= new GroupIndex(groups, config.strictLabelSelectors);
        list = index.groupsFor(host);
      }
      groupsByHost.set(host.id, list);
      keptGroups?.hostGroups.set(host.id, list);
    }
    return list;
  };

  // Jane's question "why does my Mapping do nothing?" gets an answer on her Mapping.
  // Hosts attach whole groups, so a member is unattached exactly when its group is.
  const unattached = new Set<HttpMapping>();
  if (keptGroups && dirty) {
    // Kept groups keep their verdict while the Hosts are the same; new ones are judged here.
    for (const g of gone!) keptGroups.unattached.delete(g);
    for (const g of added) {
      let attached = keptGroups.attached.get(g);
      if (attached === undefined) {
        attached = hostIndexOf(keptGroups, hosts).attachesAny(g);
        keptGroups.attached.set(g, attached);
      }
      if (!attached) keptGroups.unattached.add(g);
    }
    for (const g of keptGroups.unattached) for (const m of g.members) unattached.add(m.mapping);
  } else {
    // Every Host's groups asked for (here, dirty is undefined: from the index): a group is
    // attached when some answer held it, as the index marks by position (no set of ~10,000
    // groups). Indexed loops: no iterator result per element.
    for (let h = 0; h < hosts.length; h++) groupsOf(hosts[h]!);
    const given = index?.given;
    if (keptGroups) keptGroups.unattached = new Set();
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      const attached = given !== undefined && given[i] === 1;
      keptGroups?.attached.set(g, attached);
      if (attached) continue;
      keptGroups?.unattached.add(g);
      for (const m of g.members) unattached.add(m.mapping);
    }
  }
  for (const mapping of unattached) {
    ctx.report({
      code: 'MAPPING_NO_HOST',
      resource: mapping.ref,
      path: mapping.fields.hostname !== undefined ? '/spec/hostname' : '/spec',
      message:
        mapping.authority === undefined
          ? 'this Mapping has no hostname and no Host mappingSelector selects it, so it routes nothing; add spec.hostname (e.g. "*")'
          : noHostMessage(mapping, hosts),
    });
  }
  for (const host of selectors) {
    if (!mappings.some((m) => selectorMatches(host.mappingSelector, m.labels))) {
      ctx.report({
        code: 'HOST_SELECTOR_MATCHES_NOTHING',
        resource: host.ref,
        path: '/spec/mappingSelector',
        message: 'spec.mappingSelector matches no Mapping labels; fix the selector or label the Mappings',
      });
    }
  }

  // Route names are this compile's: a Mapping kept from the last compile (the same HttpMapping
  // object, incremental ingest) starts with none, unless its bucket is unchanged: then it has the
  // route names of the last compile (same Hosts, the same routes), shared, since building its
  // routes again would add no name to them.
  const keepNames = keptGroups !== undefined && changed !== undefined && listeners.length > 0;
  if (keepNames && patched) {
    // Groups patched: every Mapping outside `changed` is the object of the last compile, with its
    // route names of then (set below at the end of every compile), which are the names again.
    for (const mapping of changed!) mapping.routeNames = [];
  } else {
    // Indexed: no iterator result per Mapping (this loop runs unoptimised, 10,000 times).
    for (let i = 0; i < mappings.length; i++) {
      const mapping = mappings[i]!;
      const names = keepNames && !changed!.has(mapping) ? keptGroups!.routeNames.get(mapping.ref) : undefined;
      // A plain compile's Mappings are this compile's objects, each with its own empty list from ingest.
      if (names !== undefined || state !== undefined || mapping.routeNames.length > 0)
        mapping.routeNames = names ?? [];
    }
  }

  if (listeners.length === 0) {
    // No routes were built: next compile cannot take route names from this one.
    if (keptGroups) keptGroups.hostsKey = undefined;
    state?.rotate();
    state?.listenerBuilds.clear();
    // The model is published without the kept views: the next compile does not patch these.
    if (state) state.model.mappings = undefined;
    publishHttpModel(ctx, mappings, hosts, [], module, []);
    if (hosts.some((h) => !h.synthesized) || mappings.length > 0) {
      ctx.report({
        code: 'HTTP_NO_LISTENERS',
        message:
          'no Listener is defined, so no Host or Mapping is reachable; add Listeners (e.g. port 8080 HTTP and 8443 HTTPS)',
      });
    }
    return;
  }

  const routeCache = new Map<string, IRRoute[]>();
  const memo: RouteMemo = new Map();
  const kept: KeptRoutes | undefined = state ? { state, groupSalts: new Map() } : undefined;
  // The probe routes come first on every virtual host (built once, shared like the rest).
  let probes: IRRoute[];
  if (state?.probes && state.probes.ref === module.ref) probes = state.probes.routes;
  else {
    probes = probeRoutes(module.config, module.ref ? [module.ref] : []);
    if (state) state.probes = { ref: module.ref, routes: probes };
  }
  // One list object per Host and security model: virtual hosts of the cleartext and TLS
  // route configs share it, so lowering, validation and hashing see it once.
  const routesFor = (host: HttpHost, model: SecurityModel) => {
    const key = `${model} ${host.id}`;
    let routes = routeCache.get(key);
    if (!routes && state && dirty && !dirty.has(host)) {
      // No group of this Host changed: its routes are last compile's.
      routes = state.lists.get(key);
      if (routes) routeCache.set(key, routes);
    }
    if (!routes) {
      routes = probes.slice();
      if (state) {
        // Per group, its routes on this Host: while the Hosts are the same, a group kept from the
        // last compile (the same Mappings, upstreams and Module) gives the routes it gave then.
        const last = dirty !== undefined ? state.lists.get(key) : undefined;
        const before = last !== undefined ? state.segments.get(last) : undefined;
        const groups = groupsOf(host);
        const segments: Segments = { groups, routes: new Array<IRRoute[]>(groups.length) };
        // The Host's groups are its last ones less the gone, plus the added, in the same order:
        // the kept segments are matched in one walk (a group found out of order is built again).
        let at = 0;
        for (let i = 0; i < groups.length; i++) {
          const group = groups[i]!;
          let own: IRRoute[] | undefined;
          if (before !== undefined) {
            const was = before.groups;
            while (at < was.length && was[at] !== group && gone?.has(was[at]!)) at++;
            if (at < was.length && was[at] === group) own = before.routes[at++];
          }
          if (own === undefined) own = hostRoutes(host, [group], model, upstreams, module.config, memo, kept);
          segments.routes[i] = own;
          for (const route of own) routes.push(route);
        }
        // The same routes as last time: the same list object (and so the same virtual host).
        routes = sameRoutesAsBefore(state, key, routes);
        state.segments.set(routes, segments);
      } else {
        // Appended to the Host's list itself (no list of its own routes per Host, copied in after).
        hostRoutes(host, groupsOf(host), model, upstreams, module.config, memo, kept, routes);
      }
      routeCache.set(key, routes);
    }
    return routes;
  };
  const boundHosts = new Set<HttpHost>();
  const plans = listeners.map((listener, i) => {
    const bound = bindings[i]!.bound;
    // The same Listener binding the same Hosts as last compile: its build is patched (the Hosts
    // whose routes may differ, `dirty`, are known only while the Hosts are the same).
    const build =
      state && dirty && bound.length > 0 ? keptListenerBuild(state, listener, bound, deepEqual) : undefined;
    return { listener, bound, build };
  });
  if (state) {
    // Every Listener patched: what the last compile used stays (and only the dirty Hosts' entries are read).
    if (!plans.every((p) => p.build !== undefined || p.bound.length === 0)) state.rotate();
    const ids = new Set(listeners.map((l) => l.id));
    for (const id of state.listenerBuilds.keys()) if (!ids.has(id)) state.listenerBuilds.delete(id);
  }
  // A Listener binding every Host (the usual case): no Host is unbound, none needs looking up.
  const allBound = plans.some((p) => p.bound.length === hosts.length);
  for (const { listener, bound, build } of plans) {
    if (bound.length === 0) {
      state?.listenerBuilds.delete(listener.id);
      ctx.report({
        code: listener.hostBinding.selector ? 'LISTENER_SELECTOR_MATCHES_NOTHING' : 'LISTENER_NO_HOSTS',
        resource: listener.ref,
        path: '/spec/hostBinding',
        message:
          'this Listener binds no Host, so no Envoy listener is generated; fix spec.hostBinding or add a Host',
      });
      continue;
    }
    if (!allBound) for (const h of bound) boundHosts.add(h);
    buildListener(
      ctx,
      listener,
      bound,
      (h) => routesFor(h, listener.securityModel),
      module,
      state,
      build && dirty ? { build, dirty } : undefined,
    );
  }
  if (keptGroups) {
    // A touched Host whose groups were not asked for (bound by no Listener) has no list to patch next time.
    if (dirty) for (const h of dirty) if (!groupsByHost.has(h.id)) keptGroups.hostGroups.delete(h.id);
    for (const mapping of changed ?? mappings) keptGroups.routeNames.set(mapping.ref, mapping.routeNames);
  }
  // Patched groups: only the `changed` Mappings got new route name lists (above).
  const renamed = keepNames && patched ? changed : undefined;
  publishHttpModel(ctx, mappings, hosts, listeners, module, probes, state?.model, renamed);
  for (const host of allBound ? [] : hosts) {
    if (!boundHosts.has(host) && !host.synthesized) {
      ctx.report({
        code: 'HOST_UNBOUND',
        resource: host.ref,
        path: '/metadata/labels',
        message:
          "no Listener's hostBinding selects this Host, so it serves nothing; adjust the Host's labels or a Listener's hostBinding",
      });
    }
  }
}

/**
 * Which Hosts select a Mapping by label, as a key part. Made outside buildHttp: the groups keep
 * this function (their lazy key), and a closure made in buildHttp would keep its scope with them.
 */
function selectingHostsOf(selectors: readonly HttpHost[]): (m: HttpMapping) => string {
  return (m) =>
    selectors
      .filter((h) => selectorMatches(h.mappingSelector, m.labels))
      .map((h) => h.id)
      .join(',');
}

/**
 * The Hosts each Listener binds (in order): the lists of the last compile while the Listeners bind
 * the same way (namespace and hostBinding) and the Hosts and Namespaces are the same objects
 * (5,000 Hosts × each Listener asked again every edit before). The lists are read, never edited.
 */
function boundHostsOf(
  ctx: PassContext,
  state: BuildState | undefined,
  listeners: readonly HttpListener[],
  hosts: readonly HttpHost[],
  namespaceLabels: (ns: string) => Record<string, string>,
): ReadonlyArray<readonly HttpHost[]> {
  const namespaces = ctx.resources('Namespace');
  const key = JSON.stringify(listeners.map((l) => [l.namespace, l.hostBinding]));
  const last = state?.bound;
  if (
    last !== undefined &&
    last.key === key &&
    sameObjects(last.hosts, hosts) &&
    sameObjects(last.namespaces, namespaces)
  )
    return last.lists;
  const lists = listeners.map((listener) =>
    hosts.filter((h) => listenerBindsHost(listener, h, namespaceLabels)),
  );
  if (state) state.bound = { key, hosts: hosts.slice(), namespaces, lists };
  return lists;
}

/** The Hosts by hostname: the kept index while made of the same Host objects. */
function hostIndexOf(kept: KeptGroups, hosts: readonly HttpHost[]): HostsByName {
  if (kept.hostIndex !== undefined && sameObjects(kept.hostIndex.hosts, hosts)) return kept.hostIndex;
  kept.hostIndex = new HostsByName(hosts.slice());
  return kept.hostIndex;
}

/** What Host association and route building read of the Hosts, in order. */
function hostsKeyOf(hosts: readonly HttpHost[]): string {
  let key = '';
  for (const h of hosts)
    key += `${h.id}\u0000${h.hostname}\u0000${h.insecureAction}\u0000${h.synthesized ? 1 : 0}\n`;
  return key;
}

/** Why a Mapping with a hostname attaches nowhere: no Host has that name, or the one that has it selects other labels. */
function noHostMessage(mapping: HttpMapping, hosts: readonly HttpHost[]): string {
  const hostname = mapping.fields.hostname ?? mapping.fields.host;
  const glob = mapping.authority && 'glob' in mapping.authority ? mapping.authority.glob : undefined;
  const selecting =
    glob === undefined
      ? undefined
      : hosts.find((h) => !isEmptySelector(h.mappingSelector) && hostGlobsIntersect(h.hostname, glob));
  return selecting
    ? `Host ${selecting.id} serves hostname '${hostname}' but its mappingSelector does not match this Mapping's labels (a Host with a mappingSelector needs both); label the Mapping to match it, or change spec.hostname`
    : `no Host serves hostname '${hostname}'; add a Host for it or change spec.hostname`;
}

function namespaceLabelIndex(ctx: PassContext): (ns: string) => Record<string, string> {
  const labels = new Map<string, Record<string, string>>();
  for (const ns of ctx.resources('Namespace')) {
    labels.set(ns.resource.metadata.name, { ...(ns.resource.metadata.labels ?? {}) });
  }
  return (ns) => labels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
}
