import {
  type IRCluster,
  type IRRoute,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  versionHash,
} from '@attache/core';
import { configOf } from '../config.js';
import { hostGlobsIntersect } from '../hostglob.js';
import { KeptByString } from '../kept.js';
import { ExtKey, type HttpHost, type HttpListener, type HttpMapping, type HttpModule } from '../model.js';
import type { Upstream } from '../resolve/upstreams.js';
import { isEmptySelector, selectorMatches } from '../selector.js';
import { GroupIndex } from './association.js';
import { buildRouteGroups, type RouteGroup } from './groups.js';
import { publishHttpModel } from './http-model.js';
import { BuildState, sameRoutesAsBefore } from './kept-build.js';
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
    (ctx.ir.ext[ExtKey.upstreams] as Map<string, Upstream> | undefined) ?? new Map<string, Upstream>();
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  const refs = new Map<string, { cluster: IRCluster; refs: ResourceRef[] }>();
  for (const mapping of mappings) {
    const cluster = upstreams.get(mapping.id)?.cluster;
    if (!cluster) continue;
    const users = refs.get(cluster.name);
    if (users) users.refs.push(mapping.ref);
    else refs.set(cluster.name, { cluster, refs: [mapping.ref] });
  }
  // Under an incremental compiler, a cluster made of the same upstream object for the same
  // Mappings (ref objects, in order) is the IR cluster of the last compile again.
  const kept = ctx.memo?.reuse(keptClustersKey, '', () => new KeptByString<KeptCluster>());
  kept?.rotate();
  for (const [name, users] of refs) {
    const before = kept?.get(name);
    if (before && before.source === users.cluster && sameRefs(before.refs, users.refs)) {
      ctx.ir.clusters[name] = before.ir;
      continue;
    }
    const ir: IRCluster = { ...users.cluster, provenance: mergeProvenance(users.refs) };
    ctx.ir.clusters[name] = ir;
    kept?.set(name, { source: users.cluster, refs: users.refs, ir });
  }
  ctx.ir.ext[ExtKey.ownedClusters] = [...refs.keys()];
}

const buildStateKey = {};

interface KeptCluster {
  source: IRCluster;
  refs: readonly ResourceRef[];
  ir: IRCluster;
}

const keptClustersKey = {};

function sameRefs(a: readonly ResourceRef[], b: readonly ResourceRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Route groups, Host association, virtual hosts, filter chains and listeners. */
export function buildHttp(ctx: PassContext): void {
  const config = configOf(ctx.config);
  const module = ctx.ir.ext[ExtKey.module] as HttpModule;
  const hosts = (ctx.ir.ext[ExtKey.hosts] as HttpHost[] | undefined) ?? [];
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  const upstreams =
    (ctx.ir.ext[ExtKey.upstreams] as Map<string, Upstream> | undefined) ?? new Map<string, Upstream>();
  let listeners = (ctx.ir.ext[ExtKey.listeners] as HttpListener[] | undefined) ?? [];
  if (listeners.length === 0 && config.defaultListeners)
    listeners = defaultListeners(config.ambassadorNamespace);

  const selectors = hosts.filter((h) => !isEmptySelector(h.mappingSelector));
  const groups = buildRouteGroups(ctx, mappings, (m) =>
    selectors
      .filter((h) => selectorMatches(h.mappingSelector, m.labels))
      .map((h) => h.id)
      .join(','),
  );
  const index = new GroupIndex(groups, config.strictLabelSelectors);
  const groupsByHost = new Map<string, ReturnType<GroupIndex['groupsFor']>>();
  for (const host of hosts) groupsByHost.set(host.id, index.groupsFor(host));

  // Jane's question "why does my Mapping do nothing?" gets an answer on her Mapping.
  // Hosts attach whole groups, so a member is unattached exactly when its group is.
  const attachedGroups = new Set<RouteGroup>();
  for (const list of groupsByHost.values()) for (const g of list) attachedGroups.add(g);
  const unattached = new Set<HttpMapping>();
  for (const g of groups) {
    if (!attachedGroups.has(g)) for (const m of g.members) unattached.add(m.mapping);
  }
  for (const mapping of unattached.size > 0 ? mappings : []) {
    if (!unattached.has(mapping)) continue;
    ctx.report({
      code: 'MAPPING_NO_HOST',
      resource: mapping.ref,
      path: mapping.spec.hostname !== undefined ? '/spec/hostname' : '/spec',
      message:
        mapping.authority === undefined
          ? 'this Mapping has no hostname and no Host mappingSelector selects it, so it routes nothing; add spec.hostname (e.g. "*")'
          : noHostMessage(mapping, hosts),
    });
  }
  for (const host of hosts) {
    if (
      !isEmptySelector(host.mappingSelector) &&
      !mappings.some((m) => selectorMatches(host.mappingSelector, m.labels))
    ) {
      ctx.report({
        code: 'HOST_SELECTOR_MATCHES_NOTHING',
        resource: host.ref,
        path: '/spec/mappingSelector',
        message: 'spec.mappingSelector matches no Mapping labels; fix the selector or label the Mappings',
      });
    }
  }

  if (listeners.length === 0) {
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

  const namespaceLabels = namespaceLabelIndex(ctx);
  const routeCache = new Map<string, IRRoute[]>();
  const memo: RouteMemo = new Map();
  // Under an incremental compiler, an unchanged Mapping keeps its route objects from the last compile.
  const state = ctx.memo?.reuse(buildStateKey, versionHash(module.config), () => new BuildState());
  state?.begin();
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
    if (!routes) {
      routes = probes.slice();
      const own = hostRoutes(
        host,
        groupsByHost.get(host.id) ?? [],
        model,
        upstreams,
        module.config,
        memo,
        kept,
      );
      for (const route of own) routes.push(route);
      // The same routes as last time: the same list object (and so the same virtual host).
      if (state) routes = sameRoutesAsBefore(state, key, routes);
      routeCache.set(key, routes);
    }
    return routes;
  };
  const boundHosts = new Set<HttpHost>();
  for (const listener of listeners) {
    const bound = hosts.filter((h) => listenerBindsHost(listener, h, namespaceLabels));
    if (bound.length === 0) {
      ctx.report({
        code: listener.hostBinding.selector ? 'LISTENER_SELECTOR_MATCHES_NOTHING' : 'LISTENER_NO_HOSTS',
        resource: listener.ref,
        path: '/spec/hostBinding',
        message:
          'this Listener binds no Host, so no Envoy listener is generated; fix spec.hostBinding or add a Host',
      });
      continue;
    }
    for (const h of bound) boundHosts.add(h);
    buildListener(ctx, listener, bound, (h) => routesFor(h, listener.securityModel), module, state);
  }
  publishHttpModel(ctx, mappings, hosts, listeners, module, probes);
  for (const host of hosts) {
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

/** Why a Mapping with a hostname attaches nowhere: no Host has that name, or the one that has it selects other labels. */
function noHostMessage(mapping: HttpMapping, hosts: readonly HttpHost[]): string {
  const hostname = mapping.spec.hostname ?? mapping.spec.host;
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
