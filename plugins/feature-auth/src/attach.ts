import {
  addHttpFilter,
  HttpModelExt,
  type HttpRouteSource,
  type IRHttpFilter,
  type IRRoute,
  KeptMatches,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  readExt,
  replaceRoutes,
  replaceVirtualHosts,
  ServiceGrantsExt,
  type StoredResource,
} from '@attache/core';
import type { FeatureAuthConfig } from './config.js';
import { extAuthzConfig } from './ext-authz-config.js';
import {
  type AuthService,
  AuthServicesExt,
  extAuthzPerRouteType,
  extAuthzType,
  filterConfigType,
  globalFilterName,
} from './model.js';
import { RouteSources } from './route-sources.js';

const keptAuthServiceFields = {};
const namesAuthService = (source: HttpRouteSource) => source.spec.auth_service !== undefined;

/** The filter that stands in for an AuthService a Host or Mapping names but that cannot be used: it always fails, so requests are refused (403), never let through. */
export const unavailableFilterName = `${globalFilterName}/unavailable`;

interface Choice {
  /** 'global' (the global filter applies, if any), a named AuthService id, or 'unavailable'. */
  filter: string;
}

/**
 * Puts each AuthService in use into the ext_authz slot of every HTTP
 * connection manager (the global one on, named ones off unless a Host or
 * Mapping turns them on), and per-route / per-virtual-host config:
 * bypass_auth, auth_context_extensions, probes and redirects exempt, and
 * AuthService per Host and per Mapping. Everything copy-on-write.
 */
export function attachAuth(ctx: PassContext<FeatureAuthConfig>, full = false): void {
  const services = readExt(ctx.ir, AuthServicesExt) ?? { named: {} };
  const model = readExt(ctx.ir, HttpModelExt);
  const grants = readExt(ctx.ir, ServiceGrantsExt) ?? {};
  if (!model) {
    for (const auth of [services.global, ...Object.values(services.named)]) {
      if (!auth) continue;
      ctx.report({
        code: 'AUTH_NO_HTTP_MODEL',
        resource: auth.ref,
        message:
          'no plugin built HTTP routes (is the http plugin loaded?), so this AuthService protects nothing',
      });
    }
    return;
  }

  // Which AuthService each Host and Mapping names (beyond Emissary), checked.
  const hostChoice = new Map<string, Choice>();
  const hostResources = indexByRef(ctx.resources('getambassador.io/Host'));
  const lookup = (raw: unknown, where: ResourceRef, namespace: string): Choice | undefined => {
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw === '') {
      ctx.report({
        code: 'AUTH_REFERENCE_INVALID',
        resource: where,
        path: '/spec/auth_service',
        message:
          'spec.auth_service must be the name of an AuthService (name, or name.namespace); it is ignored',
      });
      return undefined;
    }
    const [name, ns = namespace] = raw.split('.');
    const id = `${ns}/${name}`;
    if (services.named[id]) return { filter: id };
    if (services.global?.id === id) return { filter: 'global' };
    ctx.report({
      code: 'AUTH_SERVICE_UNKNOWN',
      resource: where,
      path: '/spec/auth_service',
      message: `spec.auth_service names AuthService ${id}, which does not exist or is not usable (see its diagnostics); requests here are refused (403) until it is fixed, never let through unchecked`,
    });
    return { filter: 'unavailable' };
  };
  for (const [vhName, host] of Object.entries(model.virtualHosts)) {
    const stored = hostResources.get(refKey(host.ref));
    const raw = (stored?.resource.spec as Record<string, unknown> | undefined)?.auth_service;
    const choice = lookup(raw, host.ref, host.ref.namespace ?? 'default');
    if (choice) hostChoice.set(vhName, choice);
  }
  const mappingChoice = new Map<HttpRouteSource, Choice>();
  // Only the Mappings that name one (`full`: every Mapping); under an incremental compiler they are
  // kept, and an edit looks at the changed ones only.
  const sources = model.routeSources;
  const positions = full
    ? undefined
    : KeptMatches.of(ctx.memo, keptAuthServiceFields, namesAuthService).in(sources);
  const count = positions ? positions.length : sources.length;
  for (let k = 0; k < count; k++) {
    const source = sources[positions ? positions[k]! : k]!;
    const choice = lookup(source.spec.auth_service, source.ref, source.namespace);
    if (choice) mappingChoice.set(source, choice);
  }

  // The filters: one per AuthService in use; named ones only where something names them.
  const used = new Set<string>();
  for (const c of [...hostChoice.values(), ...mappingChoice.values()]) used.add(c.filter);
  const filters: IRHttpFilter[] = [];
  const filterNameOf = new Map<string, string>();
  const moduleLinkerd = model.module?.config.add_linkerd_headers === true;
  const makeFilter = (auth: AuthService, order: number, disabled: boolean): IRHttpFilter => {
    const grant = grants[auth.requestId];
    const cluster = grant && 'cluster' in grant ? grant : unavailableCluster(ctx, auth.id, [auth.ref]);
    const filter: IRHttpFilter = {
      slot: 'ext_authz',
      name: auth.filterName,
      typedConfig: extAuthzConfig({
        spec: auth.spec,
        cluster: cluster.cluster,
        authority: cluster.authority,
        moduleAddLinkerdHeaders: moduleLinkerd,
      }),
      order,
      provenance: mergeProvenance([auth.ref], auth.canaries),
    };
    if (disabled) filter.disabled = true;
    return filter;
  };
  if (services.global) {
    filters.push(makeFilter(services.global, 0, false));
    filterNameOf.set('global', globalFilterName);
  }
  const namedIds = Object.keys(services.named)
    .filter((id) => used.has(id))
    .sort();
  namedIds.forEach((id, i) => {
    const auth = services.named[id]!;
    filters.push(makeFilter(auth, i + 1, true));
    filterNameOf.set(id, auth.filterName);
  });
  if (used.has('unavailable')) {
    const cluster = unavailableCluster(ctx, 'unavailable', []);
    filters.push({
      slot: 'ext_authz',
      name: unavailableFilterName,
      typedConfig: {
        '@type': extAuthzType,
        grpc_service: { envoy_grpc: { cluster_name: cluster.cluster }, timeout: '0.250s' },
        transport_api_version: 'V3',
        failure_mode_allow: false,
      },
      order: namedIds.length + 1,
      disabled: true,
      provenance: [],
    });
    filterNameOf.set('unavailable', unavailableFilterName);
  }
  // No AuthService in use: nothing more to do, whatever the number of routes.
  if (filters.length === 0) return;
  for (const filter of filters) addHttpFilter(ctx.ir, filter);
  const routeSources = new RouteSources(sources, full);

  // Per-filter configs are shared (frozen) objects wherever they are equal: thousands of
  // routes carry the same "off" switch, and lowering copies what it emits.
  type PerFilter = Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  const disable = Object.freeze({ '@type': extAuthzPerRouteType, disabled: true });
  const enable = (contextExtensions?: Readonly<Record<string, string>>) =>
    Object.freeze({
      '@type': filterConfigType,
      config: {
        '@type': extAuthzPerRouteType,
        check_settings: contextExtensions ? { context_extensions: { ...contextExtensions } } : {},
      },
    });
  const enabled = enable();
  const offMemo = new Map<string, PerFilter>();
  /** Turns off the filter that is on where the route is (named ones are off by default). */
  const turnOff = (on: string | undefined): PerFilter | undefined => {
    if (!on) return undefined;
    let off = offMemo.get(on);
    if (!off) {
      off = Object.freeze({ [on]: disable });
      offMemo.set(on, off);
    }
    return off;
  };

  // Hosts that name an AuthService: on for the virtual host, the global one off there.
  if (hostChoice.size > 0) {
    replaceVirtualHosts(ctx.ir, (vh) => {
      const choice = hostChoice.get(vh.name);
      if (!choice || choice.filter === 'global') return vh;
      const name = filterNameOf.get(choice.filter)!;
      const next = Object.assign({}, vh);
      next.typedPerFilterConfig = {
        ...vh.typedPerFilterConfig,
        ...(services.global ? { [globalFilterName]: disable } : {}),
        [name]: enabled,
      };
      return next;
    });
  }

  // Routes: exemptions, a Mapping's own AuthService, context extensions. What a route needs
  // depends on which filter is on in its virtual host (the global one, or its Host's), so
  // routes are shared between the virtual hosts where the same one is on.
  const effectiveFilter = (vhName: string): string | undefined => {
    const choice = hostChoice.get(vhName);
    return choice && choice.filter !== 'global'
      ? filterNameOf.get(choice.filter)
      : services.global
        ? globalFilterName
        : undefined;
  };
  // By source position: a Mapping's routes (the XFP pair, every virtual host) read it again.
  const extensionsMemo: Array<Record<string, string> | null | undefined> = new Array(sources.length);
  const extensionsOf = (at: number) => {
    let extensions = extensionsMemo[at];
    if (extensions === undefined) {
      extensions = contextExtensions(sources[at]!) ?? null;
      extensionsMemo[at] = extensions;
    }
    return extensions ?? undefined;
  };
  const extensionConfigs = new Map<string, PerFilter>();
  // A list compared by equality, not the model's record or a Set: a keyed load or a Set lookup hashes
  // every route's name (a fresh string), and there are a few built-in routes (the probes) at most.
  const builtinRoutes = Object.keys(model.builtinRoutes);
  replaceRoutes(
    ctx.ir,
    (route, site) => {
      const config = routeConfig(route, effectiveFilter(site.virtualHost.name));
      if (!config) return route;
      // Object.assign, not a spread: V8 copies a spread-then-override literal on a slow path.
      const next = Object.assign({}, route);
      next.typedPerFilterConfig = route.typedPerFilterConfig
        ? { ...route.typedPerFilterConfig, ...config }
        : (config as Record<string, Record<string, unknown>>);
      return next;
    },
    { contextOf: (site) => effectiveFilter(site.virtualHost.name) ?? '' },
  );

  function routeConfig(route: IRRoute, on: string | undefined): PerFilter | undefined {
    if (builtinRoutes.length > 0 && builtinRoutes.includes(route.name))
      return ctx.config.authorizeProbes ? undefined : turnOff(on);
    // A redirect reveals nothing and must work for clients without credentials (Emissary: host_redirect).
    if (route.action.kind === 'redirect') return turnOff(on);
    const at = routeSources.positionOf(route);
    if (at < 0) return undefined;
    const source = sources[at]!;
    if (source.spec.bypass_auth === true) return turnOff(on);
    const extensions = extensionsOf(at);
    const choice = mappingChoice.get(source);
    const chosen =
      choice && choice.filter !== 'global'
        ? filterNameOf.get(choice.filter)
        : choice?.filter === 'global' && services.global
          ? globalFilterName
          : undefined;
    if (chosen && chosen !== on) {
      // Another AuthService than the virtual host's: that one off, the chosen one on.
      return { ...turnOff(on), [chosen]: extensions ? enable(extensions) : enabled };
    }
    if (!extensions || !on) return undefined;
    // One shared config per Mapping and filter: its routes (the XFP pair, every virtual host) reuse it.
    const key = `${on}\n${source.ref.namespace}/${source.ref.name}`;
    let config = extensionConfigs.get(key);
    if (!config) {
      config = Object.freeze({
        [on]: Object.freeze({
          '@type': extAuthzPerRouteType,
          check_settings: { context_extensions: extensions },
        }),
      });
      extensionConfigs.set(key, config);
    }
    return config;
  }
}

/** The Mapping's auth_context_extensions, keys sorted (deterministic output whatever the YAML order). */
function contextExtensions(source: HttpRouteSource): Record<string, string> | undefined {
  const raw = source.spec.auth_context_extensions as Record<string, string> | undefined;
  if (!raw || Object.keys(raw).length === 0) return undefined;
  return Object.fromEntries(Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A cluster with no endpoints: checks against it fail, so the filter refuses (status_on_error, default 403). */
function unavailableCluster(
  ctx: PassContext,
  id: string,
  provenance: ResourceRef[],
): { cluster: string; authority: string } {
  const name = `cluster_extauth_unavailable_${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  ctx.ir.clusters[name] ??= {
    name,
    discovery: 'STATIC',
    targets: [],
    connectTimeoutMs: 250,
    http2: true,
    provenance,
  };
  return { cluster: name, authority: 'unavailable:0' };
}

const refKey = (ref: ResourceRef) => `${ref.namespace ?? 'default'}/${ref.name}`;

function indexByRef(list: readonly StoredResource[]): Map<string, StoredResource> {
  const out = new Map<string, StoredResource>();
  for (const stored of list) {
    out.set(`${stored.resource.metadata.namespace ?? 'default'}/${stored.resource.metadata.name}`, stored);
  }
  return out;
}
