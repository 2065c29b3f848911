import {
  compareStrings,
  HttpModelExt,
  type IRHttpFilter,
  type IRRoute,
  type PassContext,
  type ResourceRef,
  readExt,
  refOf,
  replaceHttpConnectionManagers,
  replaceRoutes,
  replaceVirtualHosts,
  resourceKey,
  ServiceGrantsExt,
  withTypedPerFilterConfig,
} from '@attache/core';
import { RateLimitServiceExt } from './ingest.js';
import { RateLimitInterner } from './intern.js';
import { type LabelAction, type LabelDomains, labelDialect, parseDefaultLabels } from './labels.js';
import {
  bucketStatPrefix,
  type LocalBucket,
  localRateLimitFilterConfig,
  localRateLimitFilterName,
  localRateLimitPerRoute,
  localRateLimitType,
  parseLocalRateLimit,
} from './local.js';
import { envoyAction } from './rate-limits.js';
import { routeDecisions } from './route-decisions.js';
import { rateLimitFilterConfig, rateLimitFilterName } from './service.js';

/** Per-route config that switches the local_ratelimit filter off (filter_enabled absent: 0 %). */
const probeExemption = {
  '@type': localRateLimitType,
  stat_prefix: 'probe',
  token_bucket: { max_tokens: 1, tokens_per_fill: 1, fill_interval: '1s' },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Module `default_labels` / `default_label_domain`, reported on the Module. */
function moduleDefaults(
  ctx: PassContext,
  module: { ref: ResourceRef; config: Readonly<Record<string, unknown>> } | undefined,
): { defaults: Record<string, LabelAction[]>; defaultDomain: string } {
  if (!module) return { defaults: {}, defaultDomain: 'ambassador' };
  const rawDomain = module.config.default_label_domain;
  let defaultDomain = 'ambassador';
  if (typeof rawDomain === 'string' && rawDomain !== '') defaultDomain = rawDomain;
  else if (rawDomain !== undefined && rawDomain !== '') {
    ctx.report({
      code: 'RATELIMIT_LABELS_INVALID',
      resource: module.ref,
      path: '/spec/config/default_label_domain',
      message: `default_label_domain must be a string; 'ambassador' is used`,
    });
  }
  const { defaults, problems } = parseDefaultLabels(
    module.config.default_labels,
    labelDialect(module.ref.apiVersion),
  );
  for (const p of problems)
    ctx.report({ code: p.code, message: p.message, resource: module.ref, path: p.path });
  return { defaults, defaultDomain };
}

/**
 * Global and local rate limiting on the HTTP model's routes:
 *
 * - with a usable RateLimitService, the `ratelimit` filter in its slot of
 *   every HTTP connection manager, and on each route of a Mapping the
 *   `rate_limits` of its label groups in the service's domain (Module
 *   `default_labels` merged as Emissary does);
 * - `local_rate_limit` on Mappings (per route) and Hosts (per virtual host),
 *   with the `local_ratelimit` filter, which does nothing where neither sets a bucket.
 *   Probe routes are never limited by a Host's bucket.
 */
export function attachRateLimits(ctx: PassContext, full = false): void {
  const model = readExt(ctx.ir, HttpModelExt);
  if (!model) return;
  const chosen = readExt(ctx.ir, RateLimitServiceExt) ?? null;
  const grants = readExt(ctx.ir, ServiceGrantsExt) ?? {};
  const { defaults, defaultDomain } = moduleDefaults(ctx, model.module);

  // The service, its domain and its cluster (the http plugin reported a refused grant).
  let service: { domain: string; cluster: string; filter: IRHttpFilter } | undefined;
  if (chosen) {
    const grant = grants[chosen.requestId];
    if (chosen.config.domain === undefined) {
      ctx.report({
        code: 'RATELIMIT_DOMAIN_DEFAULTED',
        resource: chosen.config.ref,
        path: '/spec/domain',
        message: `no domain: Envoy sends domain '${defaultDomain}' (the Module's default_label_domain), as Emissary does; set domain explicitly to the domain of your rate-limit service's configuration`,
      });
    }
    if (grant && 'cluster' in grant) {
      const domain = chosen.config.domain ?? defaultDomain;
      service = {
        domain,
        cluster: grant.cluster,
        filter: {
          slot: 'ratelimit',
          name: rateLimitFilterName,
          typedConfig: rateLimitFilterConfig(chosen.config, domain, grant.cluster),
          provenance: [chosen.config.ref],
        },
      };
    }
  }

  // Module default_labels merged as mergeDefaultLabels says (a test keeps the two equal), with
  // the defaults' Envoy actions built once and shared: 10,000 Mappings need not rebuild them.
  const defaultActions = new Map<string, Record<string, unknown>[]>();
  for (const [domain, actions] of Object.entries(defaults))
    defaultActions.set(domain, actions.map(envoyAction));
  const defaultsOnly =
    service && defaultDomain === service.domain && (defaultActions.get(defaultDomain)?.length ?? 0) > 0
      ? [{ stage: 0, actions: defaultActions.get(defaultDomain)! }]
      : undefined;
  // Equal entries (a label group every Mapping has) are one shared object: see RateLimitInterner.
  const intern = new RateLimitInterner();
  const noPrefix: Record<string, unknown>[] = [];
  const prefixOf = (domain: string) => defaultActions.get(domain) ?? noPrefix;
  const rateLimitsOf = (domains: LabelDomains | undefined, domain: string) => {
    if (!domains || Object.keys(domains).length === 0) return defaultsOnly;
    const groups = domains[domain];
    if (!groups || groups.length === 0) return undefined;
    const prefix = prefixOf(domain);
    return groups.map((g) => intern.entry(prefix, g.actions));
  };

  // Per route: rate_limits from labels, local bucket from local_rate_limit.
  const { decisions, localRefs } = routeDecisions(
    ctx,
    model.routeSources,
    {
      chosen: chosen !== null,
      ...(service ? { serviceDomain: service.domain } : {}),
      intern,
      prefixOf,
      rateLimitsOf,
    },
    new Set(Object.keys(model.builtinRoutes)),
    full,
  );

  // Per Host: a bucket for its virtual hosts.
  const hostSpecs = new Map<string, Record<string, unknown>>();
  for (const stored of ctx.resources('getambassador.io/Host')) {
    const spec = (stored.resource as { spec?: unknown }).spec;
    if (isRecord(spec) && spec.local_rate_limit !== undefined) {
      hostSpecs.set(resourceKey(refOf(stored.resource, stored.origin)), spec);
    }
  }
  const hostBuckets = new Map<string, Record<string, unknown>>();
  const hostRefs: ResourceRef[] = [];
  const readHosts = new Map<string, LocalBucket | undefined>();
  for (const vhName of Object.keys(model.virtualHosts).sort(compareStrings)) {
    const view = model.virtualHosts[vhName]!;
    if (view.synthesized) continue;
    const key = resourceKey(view.ref);
    const spec = hostSpecs.get(key);
    if (!spec) continue;
    if (!readHosts.has(key)) {
      const { bucket, problems } = parseLocalRateLimit(spec.local_rate_limit, '/spec/local_rate_limit');
      for (const p of problems)
        ctx.report({ code: p.code, message: p.message, resource: view.ref, path: p.path });
      if (bucket) hostRefs.push(view.ref);
      readHosts.set(key, bucket);
    }
    const bucket = readHosts.get(key);
    if (bucket) {
      hostBuckets.set(
        vhName,
        localRateLimitPerRoute(bucket, bucketStatPrefix('host', view.ref.namespace, view.ref.name)),
      );
    }
  }

  const probes = new Set(
    Object.keys(model.builtinRoutes).filter((n) => model.builtinRoutes[n]!.role === 'probe'),
  );
  const anyLocal = localRefs.length > 0 || hostBuckets.size > 0;

  if (hostBuckets.size > 0 || decisions.any) {
    replaceRoutes(
      ctx.ir,
      (route, site) => {
        const decision = decisions.of(route);
        // One copy per changed route, with a literal key: a computed key would make a
        // dictionary-mode object, which costs every later reader of 20,000 routes.
        let local: Record<string, unknown> | undefined = decision?.local;
        if (!local && probes.has(route.name) && hostBuckets.has(site.virtualHost.name)) {
          // A route-level config without filter_enabled (0 % by default) turns the Host's
          // bucket off for probes; Envoy refuses a per-route config without a token bucket.
          local = probeExemption;
        }
        if (!decision?.rateLimits && !local) return route;
        // Object.assign, not a spread: V8 clones a spread through its slow path for these
        // route shapes (several times slower on the bench's 16,600 route copies).
        const next: IRRoute = Object.assign({}, route);
        if (decision?.rateLimits) next.rateLimits = decision.rateLimits;
        if (local) {
          next.typedPerFilterConfig = route.typedPerFilterConfig
            ? Object.assign({}, route.typedPerFilterConfig, { 'envoy.filters.http.local_ratelimit': local })
            : { 'envoy.filters.http.local_ratelimit': local };
        }
        return next;
      },
      { contextOf: (site) => (hostBuckets.has(site.virtualHost.name) ? 'host-bucket' : '') },
    );
  }
  if (hostBuckets.size > 0)
    replaceVirtualHosts(ctx.ir, (vh) => {
      const config = hostBuckets.get(vh.name);
      return config ? withTypedPerFilterConfig(vh, localRateLimitFilterName, config) : vh;
    });

  const filters: IRHttpFilter[] = [];
  if (service) filters.push(service.filter);
  if (anyLocal) {
    filters.push({
      slot: 'local_ratelimit',
      name: localRateLimitFilterName,
      typedConfig: localRateLimitFilterConfig(),
      provenance: [...localRefs, ...hostRefs],
    });
  }
  if (filters.length > 0) {
    replaceHttpConnectionManagers(ctx.ir, (hcm) => ({ ...hcm, filters: [...hcm.filters, ...filters] }));
  }
}
