import {
  compareStrings,
  type IRCluster,
  type IRUpstreamTls,
  type IRWeightedCluster,
  KeptByString,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  readExt,
  resourceKey,
  type UpstreamContribution,
  UpstreamContributionsExt,
  versionHashOfJson,
} from '@attache/core';
import { configOf } from '../config.js';
import type { MappingFields } from '../ingest/mapping-fields.js';
import { listChange, recordListChange } from '../list-change.js';
import {
  ExtKey,
  type HttpMapping,
  type HttpModule,
  type HttpResolver,
  type HttpTLSContext,
} from '../model.js';
import { OverlayMap } from '../overlay-map.js';
import type { MappingSpec } from '../schemas/mapping.js';
import { parseService } from '../service.js';
import { ConsulEndpointIndex, consulEdsName } from './consul-endpoints.js';
import { EndpointIndex } from './endpoints.js';
import { SecretResolver } from './secrets.js';
import { findTlsContext, upstreamTlsFromContext, withServiceSni } from './upstream-tls.js';

/** What a Mapping sends traffic to: its cluster, named from content only. */
export interface Upstream {
  cluster: IRCluster;
  /** `host:port` as Envoy dials it, for l5d-dst-override. */
  authority: string;
  /**
   * The clusters of a route forwarding to this upstream alone (`[{ cluster: name, weight: 100 }]`),
   * frozen: one list for every route of the Mappings sharing the upstream (IR routes are plain
   * data no pass edits; plugins copy an action to change it). Absent: routes make their own.
   */
  routeClusters?: readonly IRWeightedCluster[];
}

/**
 * Resolves each Mapping's service through its resolver into a cluster
 * definition: DNS (Kubernetes Service), EDS (Kubernetes endpoints, Consul),
 * TLS origination, and every cluster-level setting with Module defaults.
 * Publishes `http.upstreams` (a Map: Mapping id → Upstream) and fills ir.endpoints.
 */
export function resolveUpstreams(ctx: PassContext): void {
  const config = configOf(ctx.config);
  const module = (ctx.ir.ext[ExtKey.module] as HttpModule).config;
  const resolvers = ctx.ir.ext[ExtKey.resolvers] as Record<string, HttpResolver>;
  const contexts = (ctx.ir.ext[ExtKey.tlsContexts] as HttpTLSContext[] | undefined) ?? [];
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  const secrets = new SecretResolver(ctx);
  const endpoints = new EndpointIndex(ctx);
  const consul = new ConsulEndpointIndex(ctx);
  // Cluster names by identity, for an incremental compiler only: a plain compile resolves each
  // distinct upstream once, and no two of them had the same identity at 10 x 10,000 (3,651 names,
  // no hit), so the map only held every identity's text until the pass ended.
  const names = ctx.memo !== undefined ? new Map<string, string>() : undefined;
  /** EDS names of Mappings whose resolver does not exist (reported as such, not as "no endpoints"). */
  const unresolved = new Set<string>();

  // What feature plugins add to a Mapping's cluster (feature-grpc: HTTP/2, gRPC health checks).
  const contributions = readExt(ctx.ir, UpstreamContributionsExt) ?? {};
  const anyContribution = Object.keys(contributions).length > 0;

  // Contributions are often one shared object (feature-grpc's HTTP/2-only): its key is built once.
  const contributionKeys = new Map<UpstreamContribution, string>();
  const contributionKey = (c: UpstreamContribution) => {
    let key = contributionKeys.get(c);
    if (key === undefined) {
      key = JSON.stringify(c);
      contributionKeys.set(c, key);
    }
    return key;
  };

  // Thousands of Mappings share a handful of upstreams: resolve each distinct one once.
  const memo = new Map<string, Upstream>();
  // The same for specs whose only upstream field is their service (plain compile), by namespace.
  const byNamespace = new Map<string, Map<string, Upstream>>();
  const servicesIn = (namespace: string): Map<string, Upstream> => {
    let services = byNamespace.get(namespace);
    if (services === undefined) {
      services = new Map();
      byNamespace.set(namespace, services);
    }
    return services;
  };
  // Under an incremental compiler, upstreams that depend on nothing but the Mapping's fields and
  // what `keptSalt` names are kept between compiles: the same Upstream (and IR cluster) object.
  const kept_ = ctx.memo
    ? ctx.memo.reuse(
        keptUpstreamsKey,
        upstreamsSalt(config.ambassadorNamespace, module, resolvers),
        (): KeptResolution => ({
          upstreams: new KeptByString<Upstream>(),
          tlsUpstreams: new KeptByString<KeptTlsUpstream>(),
        }),
      )
    : undefined;
  const keptUpstreams = kept_?.upstreams;
  // Every TLSContext upstream is resolved every compile: those not asked for by this one go.
  const keptTls = kept_?.tlsUpstreams;
  keptTls?.rotate();
  // The last compile's outcome: then only the Mappings added since and those whose upstream
  // reads more than their own fields need resolving (see KeptResolution).
  const last = anyContribution ? undefined : kept_?.last;
  const change = last !== undefined ? listChange(last.mappings, mappings) : undefined;
  const incremental =
    last !== undefined &&
    change !== undefined &&
    change.added.length + change.removed.length <= 64 &&
    addedIdsAreNew(last.upstreams, change);
  // Unchanged Mappings' entries are not read in an incremental run: aging them would drop them.
  if (!incremental) keptUpstreams?.rotate();
  // Incremental: the last compile's upstreams under this compile's few changes (not copied).
  const upstreams =
    incremental && last !== undefined
      ? new OverlayMap<string, Upstream>(last.upstreams)
      : new Map<string, Upstream>();
  /** Mappings whose upstream is not a kept pure one (or none, or left out): resolved every compile. */
  const impure: HttpMapping[] = [];
  const endpointUsers = new Map<string, ResourceRef[]>();
  const useEndpoints = (upstream: Upstream, mapping: HttpMapping) => {
    const eds = upstream.cluster.edsServiceName;
    if (eds === undefined) return;
    const users = endpointUsers.get(eds);
    if (users) users.push(mapping.ref);
    else endpointUsers.set(eds, [mapping.ref]);
  };
  const dropped = new Set<HttpMapping>();
  const resolveOne = (mapping: HttpMapping): void => {
    const spec = mapping.fields;
    if (spec.host_redirect) return;
    const contribution = anyContribution ? contributions[resourceKey(mapping.ref)] : undefined;
    // A plain compile: a spec whose one upstream field is its service (most) is looked up by
    // namespace and service, without a key text (onlyService: the same classes as upstreamKeyOf).
    const serviceOnly = ctx.memo === undefined && contribution === undefined ? onlyService(spec) : undefined;
    const byService = serviceOnly !== undefined ? servicesIn(mapping.namespace) : undefined;
    let memoKey = '';
    let known: Upstream | undefined;
    if (byService !== undefined) known = byService.get(serviceOnly!);
    else {
      // A plain compile never sees these spec objects again: no key kept with them (upstreamKey).
      const key = ctx.memo ? upstreamKey(mapping) : upstreamKeyOf(mapping);
      memoKey = contribution ? `${key}\n${contributionKey(contribution)}` : key;
      known = memo.get(memoKey);
    }
    if (!known && keptUpstreams) {
      known = keptUpstreams.get(memoKey);
      if (known) memo.set(memoKey, known);
    }
    if (known) {
      upstreams.set(mapping.id, known);
      useEndpoints(known, mapping);
      // (A plain compile keeps nothing for a next one: no list of the 10,000 Mappings.)
      if (keptUpstreams !== undefined && keptUpstreams.get(memoKey) !== known) impure.push(mapping);
      return;
    }
    if (keptTls !== undefined && spec.tls !== undefined) {
      // A TLSContext upstream made by an earlier compile: the same while its Mapping finds a
      // TLSContext of the same spec object and its Secrets give the same IR secrets again (asked
      // as upstreamTlsFromContext asks them: the SecretResolver's effects are those of resolving).
      const before = keptTls.get(memoKey);
      if (before !== undefined && sameTlsUpstream(before, contexts, spec.tls, mapping.namespace, secrets)) {
        memo.set(memoKey, before.upstream);
        impure.push(mapping);
        upstreams.set(mapping.id, before.upstream);
        return;
      }
    }
    const service = parseService(spec.service);
    impure.push(mapping); // until found pure below
    if ('error' in service) {
      dropped.add(mapping); // reported at ingest
      return;
    }
    const resolverName = spec.resolver ?? module.resolver ?? 'kubernetes-service';
    const resolver = resolvers[resolverName];
    if (!resolver) {
      const fromModule = spec.resolver === undefined;
      ctx.report({
        code: 'MAPPING_RESOLVER_UNKNOWN',
        resource: mapping.ref,
        path: fromModule ? '/spec/service' : '/spec/resolver',
        message: fromModule
          ? `the ambassador Module's resolver '${resolverName}' does not exist, so requests to this Mapping answer 503; create a KubernetesServiceResolver, KubernetesEndpointResolver or ConsulResolver of that name, or fix the Module's resolver`
          : `resolver '${resolverName}' does not exist, so requests to this Mapping answer 503; create a KubernetesServiceResolver, KubernetesEndpointResolver or ConsulResolver of that name, or remove spec.resolver`,
      });
    }
    let tls: IRUpstreamTls | undefined;
    let tlsContext: HttpTLSContext | undefined;
    let asked: SecretAsked[] | undefined;
    if (spec.tls !== undefined) {
      const context = findTlsContext(contexts, spec.tls, mapping.namespace);
      if (!context) {
        ctx.report({
          code: 'MAPPING_TLS_CONTEXT_UNKNOWN',
          resource: mapping.ref,
          path: '/spec/tls',
          message: `TLSContext '${spec.tls}' does not exist; create it or fix spec.tls (Emissary would silently send cleartext)`,
        });
        dropped.add(mapping);
        return;
      }
      asked = [];
      tls = upstreamTlsFromContext(ctx, context, recordingSecrets(secrets, asked));
      if (!tls) {
        dropped.add(mapping);
        return;
      }
      tlsContext = context;
    } else if (service.scheme === 'https') {
      tls = {};
    }
    const port = service.port ?? (tls ? 443 : 80);
    withServiceSni(tls, service.host);
    const settings = clusterSettings(spec, module, tls, contribution);
    let discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>;
    let authority: string;
    if (!resolver) {
      // A route that answers 503 (an EDS cluster nothing fills) rather than a route that
      // vanishes: the path stays claimed, and the answer says the upstream is missing.
      const edsServiceName = `unresolved/${resolverName}/${mapping.namespace}/${service.host}`;
      discovery = { discovery: 'EDS', edsServiceName };
      authority = `${service.host}:${port}`;
      ctx.ir.endpoints[edsServiceName] ??= { name: edsServiceName, endpoints: [], provenance: [] };
      unresolved.add(edsServiceName);
    } else if (resolver.kind === 'service') {
      // Emissary addresses services in its own namespace by bare name, others as name.namespace.
      const host =
        service.host.includes('.') ||
        service.host.includes(':') ||
        mapping.namespace === config.ambassadorNamespace ||
        module.use_ambassador_namespace_for_service_resolution
          ? service.host
          : `${service.host}.${mapping.namespace}`;
      discovery = {
        discovery: spec.dns_type === 'logical_dns' ? 'LOGICAL_DNS' : 'STRICT_DNS',
        targets: [{ host, port }],
      };
      authority = `${host}:${port}`;
    } else if (resolver.kind === 'endpoint') {
      const home = module.use_ambassador_namespace_for_service_resolution
        ? config.ambassadorNamespace
        : mapping.namespace;
      const [name, namespace = home] = service.host.split('.');
      const edsServiceName = `k8s/${namespace}/${name}/${port}`;
      discovery = { discovery: 'EDS', edsServiceName };
      authority = `${name}.${namespace}:${port}`;
      endpoints.fill(edsServiceName, namespace, name!, port, mapping);
    } else {
      // Emissary names the Consul service as written, without the port: instances carry their own.
      const edsServiceName = consulEdsName(resolver.datacenter ?? '', service.host);
      discovery = { discovery: 'EDS', edsServiceName };
      authority = `${service.host}:${port}`;
      consul.fill(edsServiceName, resolver.ref, mapping);
    }
    // Pure: a Kubernetes Service upstream without a TLSContext reads the spec, the Module and the resolvers only.
    const pure = resolver?.kind === 'service' && spec.tls === undefined;
    const name = clusterName(names, discovery, settings, spec.cluster_tag, port);
    const cluster = upstreamCluster(name, discovery, settings);
    if (spec.stats_name) cluster.extra = { ...(cluster.extra ?? {}), alt_stat_name: spec.stats_name };
    const upstream: Upstream = { cluster, authority, routeClusters: routeClustersOf(name) };
    if (byService !== undefined) byService.set(serviceOnly!, upstream);
    else memo.set(memoKey, upstream);
    if (pure && keptUpstreams) {
      keptUpstreams.set(memoKey, upstream);
      impure.pop();
    }
    // A Kubernetes Service upstream through a TLSContext: kept with what it read (sameTlsUpstream).
    if (
      keptTls !== undefined &&
      resolver?.kind === 'service' &&
      tlsContext !== undefined &&
      asked !== undefined
    )
      keptTls.set(memoKey, { upstream, spec: tlsContext.spec, namespace: tlsContext.namespace, asked });
    upstreams.set(mapping.id, upstream);
    useEndpoints(upstream, mapping);
  };
  let touched: HttpMapping[] | undefined;
  let taken: readonly HttpMapping[] = [];
  if (incremental && last !== undefined && change !== undefined) {
    // The last compile's upstreams, without the Mappings gone since; those added since and the
    // impure ones (their TLSContext, Secrets or endpoints may have changed) resolved again, in
    // list order (which Mapping asks first shows in diagnostics and endpoint sets).
    const removed = new Set(change.removed);
    for (const mapping of change.removed) upstreams.delete(mapping.id);
    const again = last.impure.filter((m) => !removed.has(m));
    for (const mapping of again) upstreams.delete(mapping.id);
    const todo =
      again.length > 0 && change.added.length > 0
        ? mergeByKey(again, change.added)
        : [...again, ...change.added];
    for (const mapping of todo) resolveOne(mapping);
    touched = [...change.added, ...change.removed];
    taken = change.removed;
    for (const mapping of again) {
      const before = last.upstreams.get(mapping.id);
      const now = upstreams.get(mapping.id);
      if (before?.cluster.name !== now?.cluster.name || before?.authority !== now?.authority) {
        touched.push(mapping);
      }
    }
  } else {
    for (let i = 0; i < mappings.length; i++) resolveOne(mappings[i]!);
  }
  const kept = dropped.size === 0 ? mappings.slice() : mappings.filter((m) => !dropped.has(m));
  for (const [eds, refs] of endpointUsers) {
    const set = ctx.ir.endpoints[eds];
    if (set) set.provenance = mergeProvenance(set.provenance, refs);
    if (!set || set.endpoints.length > 0 || unresolved.has(eds)) continue;
    for (const ref of refs) {
      ctx.report({
        code: 'MAPPING_NO_ENDPOINTS',
        resource: ref,
        path: '/spec/service',
        message: eds.startsWith('consul/')
          ? `Consul knows no passing instance of ${eds.slice('consul/'.length).replace('/', ' service ').replace(/^/, 'datacenter ')} yet (or no consul source watches it), so requests answer 503; register a healthy instance, or check the consul source in attache.yaml`
          : `no ready endpoints for ${eds} (no Endpoints/EndpointSlice with a ready address on that port), so requests answer 503; check the Service's pods and spec.service's port`,
      });
    }
  }
  secrets.reportProblems();
  ctx.ir.ext[ExtKey.upstreams] = upstreams;
  ctx.ir.ext[ExtKey.mappings] = kept;
  if (kept_) {
    // Every Mapping id once in the map (ids are namespace/name, and a Mapping without a namespace
    // has the id of one in "default"): removing one Mapping's upstream removes no other's.
    // An incremental run keeps that by construction (addedIdsAreNew).
    const unique = incremental || upstreams.size === kept.filter((m) => !m.fields.host_redirect).length;
    const whole = dropped.size === 0;
    kept_.last = !anyContribution && unique ? { mappings, upstreams, impure, kept, whole } : undefined;
    // Both compiles kept every Mapping: the kept lists differ as the Mapping lists do (the build
    // passes compare the kept lists, and find the change here instead of scanning 10,000 Mappings).
    if (last !== undefined && change !== undefined && whole && last.whole)
      recordListChange(last.kept, kept, change);
    if (touched !== undefined && last !== undefined) {
      // Only this compile's change is read (by this compile's build passes). The last one's is
      // dropped: a WeakMap value keeps its key's predecessor alive, so every change kept would
      // chain every compile's upstream map (and its flat copy) alive, ~130 KiB per edit.
      upstreamChanges.delete(last.upstreams);
      upstreamChanges.set(upstreams, { since: last.upstreams, mappings: touched, gone: taken });
    }
  }
}

/**
 * Two lists sorted by resource key (no key in both) as one, each key made once: what sorting
 * them together gives, without a resourceKey per comparison (100 TLS Mappings every edit).
 */
export function mergeByKey(a: readonly HttpMapping[], b: readonly HttpMapping[]): HttpMapping[] {
  const keysA = a.map((m) => resourceKey(m.ref));
  const keysB = b.map((m) => resourceKey(m.ref));
  const out: HttpMapping[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (compareStrings(keysA[i]!, keysB[j]!) <= 0) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** Whether no added Mapping's id is in the map once the removed ones are out, nor twice among them. */
function addedIdsAreNew(
  upstreams: ReadonlyMap<string, Upstream>,
  change: { added: readonly HttpMapping[]; removed: readonly HttpMapping[] },
): boolean {
  const removed = new Set(change.removed.map((m) => m.id));
  const added = new Set<string>();
  for (const m of change.added) {
    if (added.has(m.id) || (upstreams.has(m.id) && !removed.has(m.id))) return false;
    added.add(m.id);
  }
  return true;
}

/**
 * What resolveUpstreams keeps under an incremental compiler (for one salt: the
 * Module, the resolvers, the ambassador namespace). `upstreams`: the upstreams
 * that read nothing but the Mapping's fields and the salt (a Kubernetes Service
 * without a TLSContext), by upstream key. `last`: the last compile's Mappings and
 * upstreams, when no feature plugin contributed to a cluster. The next compile then
 * takes the upstreams of its Mappings that are the same objects (ingest keeps an
 * unchanged Mapping's object) and were pure as they were, and resolves only the
 * Mappings added since and the impure ones (a TLSContext, Secrets, endpoints: inputs
 * besides the Mapping), with their diagnostics and endpoint sets, in list order.
 * A pure upstream reports nothing and touches nothing else, which is what makes
 * taking it as it was the same as resolving it again.
 */
interface KeptResolution {
  upstreams: KeptByString<Upstream>;
  /** Kubernetes Service upstreams through a TLSContext, by upstream key, with what they read. */
  tlsUpstreams: KeptByString<KeptTlsUpstream>;
  last?: {
    mappings: readonly HttpMapping[];
    upstreams: ReadonlyMap<string, Upstream>;
    /** The Mappings (in list order) whose upstream was not a kept pure one, or that had none. */
    impure: readonly HttpMapping[];
    /** The Mapping list this compile published (`mappings` less those left out). */
    kept: readonly HttpMapping[];
    /** Whether `kept` holds every one of `mappings`, in order. */
    whole: boolean;
  };
}

/** One question upstreamTlsFromContext asked the SecretResolver, and its answer. */
interface SecretAsked {
  use: 'certificate' | 'ca';
  namespace: string;
  name: string;
  answer: string | undefined;
}

/** A TLSContext upstream of an earlier compile: what it read of its TLSContext, and what it asked of the Secrets. */
interface KeptTlsUpstream {
  upstream: Upstream;
  spec: HttpTLSContext['spec'];
  namespace: string;
  asked: readonly SecretAsked[];
}

/** The SecretResolver's questions, answered by it and written down in `asked`. */
function recordingSecrets(
  secrets: SecretResolver,
  asked: SecretAsked[],
): Pick<SecretResolver, 'certificate' | 'ca' | 'reason'> {
  return {
    certificate(namespace, name, user) {
      const answer = secrets.certificate(namespace, name, user);
      asked.push({ use: 'certificate', namespace, name, answer });
      return answer;
    },
    ca(namespace, name, user) {
      const answer = secrets.ca(namespace, name, user);
      asked.push({ use: 'ca', namespace, name, answer });
      return answer;
    },
    reason: (namespace, name, use) => secrets.reason(namespace, name, use),
  };
}

/**
 * Whether a kept TLSContext upstream is what resolving the Mapping again would make: the Mapping
 * (by its upstream key) finds the same TLSContext object, and the same questions to the Secrets
 * (asked again here, so their effects — IR secrets written, users recorded — are those of
 * resolving it) get the same answers. Everything else it read is in the upstream key or the salt.
 */
function sameTlsUpstream(
  kept: KeptTlsUpstream,
  contexts: readonly HttpTLSContext[],
  name: string,
  namespace: string,
  secrets: SecretResolver,
): boolean {
  // An unchanged TLSContext is admitted from memory (the same spec object); what the upstream
  // read of it is its spec and its namespace (a Secret's default one). Its ref, the Secrets'
  // user, is this compile's.
  const context = findTlsContext(contexts, name, namespace);
  if (context === undefined || context.spec !== kept.spec || context.namespace !== kept.namespace)
    return false;
  for (const q of kept.asked) {
    const answer =
      q.use === 'certificate'
        ? secrets.certificate(q.namespace, q.name, context.ref)
        : secrets.ca(q.namespace, q.name, context.ref);
    if (answer !== q.answer) return false;
  }
  return true;
}

/**
 * For an upstream map made incrementally: the last compile's map, and the
 * Mappings whose upstream may differ from it by cluster name or authority (those
 * added or removed since, and impure ones whose upstream did change); every
 * other Mapping id has the same Upstream object. Build passes read it to touch
 * only what changed.
 */
export const upstreamChanges = new WeakMap<
  ReadonlyMap<string, Upstream>,
  {
    since: ReadonlyMap<string, Upstream>;
    mappings: readonly HttpMapping[];
    /** Those of `mappings` taken out of the Mapping list: their id may now be another object's. */
    gone: readonly HttpMapping[];
  }
>();

const keptUpstreamsKey = {};

/** What every kept upstream depends on besides its Mapping's fields. */
function upstreamsSalt(
  ambassadorNamespace: string,
  module: HttpModule['config'],
  resolvers: Record<string, HttpResolver>,
): string {
  return JSON.stringify([ambassadorNamespace, module, resolvers]);
}

/** Everything about a Mapping that decides its upstream: equal keys give equal clusters. */
const upstreamFields = [
  'service',
  'resolver',
  'tls',
  'dns_type',
  'respect_dns_ttl',
  'enable_ipv4',
  'enable_ipv6',
  'connect_timeout_ms',
  'cluster_idle_timeout_ms',
  'cluster_max_connection_lifetime_ms',
  'circuit_breakers',
  'load_balancer',
  'keepalive',
  'health_checks',
  'outlier_detection',
  'cluster_tag',
  'stats_name',
] as const satisfies ReadonlyArray<keyof MappingSpec>;

const upstreamFieldIndex = new Map<string, number>(upstreamFields.map((f, i) => [f, i]));

/**
 * The memo key of a Mapping's upstream: the fields it sets, each tagged with
 * its index, in sorted order. Walks the keys the spec has rather than reading
 * every field (reads of absent keys on specs of many shapes are the slow part).
 */
function upstreamKey(mapping: HttpMapping): string {
  // The spec object is kept while the Mapping is unchanged (ingest's memo): its key with it.
  const known = upstreamKeys.get(mapping.spec);
  if (known !== undefined && known.namespace === mapping.namespace) return known.key;
  const key = upstreamKeyOf(mapping);
  upstreamKeys.set(mapping.spec, { namespace: mapping.namespace, key });
  return key;
}

const upstreamKeys = new WeakMap<object, { namespace: string; key: string }>();

export function upstreamKeyOf(mapping: HttpMapping): string {
  const spec = mapping.spec as Record<string, unknown>;
  // Most Mappings set one such field (service): its part alone, a list only from a second one.
  let first: string | undefined;
  let parts: string[] | undefined;
  for (const field in spec) {
    const i = upstreamFieldIndex.get(field);
    if (i === undefined || !Object.hasOwn(spec, field)) continue;
    const value = spec[field];
    if (value === undefined) continue;
    const part = `${i}:${JSON.stringify(value)}`;
    if (first === undefined) first = part;
    else if (parts === undefined) parts = [first, part];
    else parts.push(part);
  }
  const namespace = JSON.stringify(mapping.namespace);
  if (parts !== undefined) return `${namespace}\n${parts.sort().join('\n')}`;
  return first === undefined ? `${namespace}\n` : `${namespace}\n${first}`;
}

/**
 * The service of a spec whose only upstream field set (not undefined) is `service`, a string;
 * otherwise undefined. Two such specs of one namespace have equal upstream keys exactly when
 * their services are equal, and no other spec has such a key. Reads the upstream fields of the
 * one-shape record (upstreamFields, each by name).
 */
export function onlyService(f: MappingFields): string | undefined {
  const service = f.service as unknown;
  if (typeof service !== 'string') return undefined;
  if (
    f.resolver !== undefined ||
    f.tls !== undefined ||
    f.dns_type !== undefined ||
    f.respect_dns_ttl !== undefined ||
    f.enable_ipv4 !== undefined ||
    f.enable_ipv6 !== undefined ||
    f.connect_timeout_ms !== undefined ||
    f.cluster_idle_timeout_ms !== undefined ||
    f.cluster_max_connection_lifetime_ms !== undefined ||
    f.circuit_breakers !== undefined ||
    f.load_balancer !== undefined ||
    f.keepalive !== undefined ||
    f.health_checks !== undefined ||
    f.outlier_detection !== undefined ||
    f.cluster_tag !== undefined ||
    f.stats_name !== undefined
  )
    return undefined;
  return service;
}

/** Made once (one RegExp object, not one per distinct cluster); `replace` starts it at 0 each call. */
const notInClusterName = /[^A-Za-z0-9_.-]/g;

/**
 * A cluster's name comes from what it is (target and every setting), never
 * from which Mapping asked for it or where: removing a Mapping renames
 * nothing else, and Mappings that agree share the cluster. Asked once per
 * distinct upstream (resolveOne's memo); under an incremental compiler also
 * memoised on the identity's JSON (built in a fixed key order), so that upstream
 * keys that differ but make the same cluster hash it once.
 */
export function clusterName(
  memo: Map<string, string> | undefined,
  discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>,
  settings: ClusterSettings,
  tag: string | undefined,
  port: number,
): string {
  // The JSON of the identity text (what is hashed) stands for the identity: one text, not two.
  const json = clusterIdentityJson(discovery, settings, tag);
  let name = memo?.get(json);
  if (!name) {
    const base = discovery.edsServiceName
      ? `eds_${discovery.edsServiceName}`
      : `${discovery.targets![0]!.host}_${port}`;
    // contentHash of the identity text is the sha256 of its JSON (canonicalJson of a string is
    // JSON.stringify): hashed as such, without a sorted copy of a value that has no keys.
    name = `cluster_${base.replace(notInClusterName, '_')}_${versionHashOfJson(json).slice(0, 8)}`;
    memo?.set(json, name);
  }
  return name;
}

/**
 * `JSON.stringify([discovery, settings, tag ?? null])`, the text a cluster's name hashes. A DNS
 * cluster with one target and only the three settings clusterSettings always gives (nearly every
 * one) is written from its values, keys in the order JSON.stringify takes them (the objects'
 * own, as resolveOne and clusterSettings make them); any other is stringified.
 */
export function clusterIdentity(
  discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>,
  settings: ClusterSettings,
  tag: string | undefined,
): string {
  if (writtenIdentity(discovery, settings)) {
    const target = discovery.targets![0]!;
    return `[{"discovery":${JSON.stringify(discovery.discovery)},"targets":[{"host":${JSON.stringify(target.host)},"port":${target.port}}]},{"connectTimeoutMs":${settings.connectTimeoutMs},"lbPolicy":${JSON.stringify(settings.lbPolicy)},"dnsLookupFamily":${JSON.stringify(settings.dnsLookupFamily)}},${tag === undefined ? 'null' : JSON.stringify(tag)}]`;
  }
  return JSON.stringify([discovery, settings, tag ?? null]);
}

/**
 * `JSON.stringify(clusterIdentity(discovery, settings, tag))`, what clusterName hashes. Where the
 * identity is written from its values and each of its strings is printable ASCII without `"` or
 * `\` (JSON writes such a string as it is, between quotes, at both levels), the JSON text is
 * written at once: no identity text made and then escaped (3,651 clusters at 10 x 10,000).
 */
export function clusterIdentityJson(
  discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>,
  settings: ClusterSettings,
  tag: string | undefined,
): string {
  if (writtenIdentity(discovery, settings)) {
    const kind = discovery.discovery;
    const host = discovery.targets![0]!.host;
    const lb = settings.lbPolicy!;
    const family = settings.dnsLookupFamily!;
    if (
      plainText.test(kind) &&
      plainText.test(host) &&
      plainText.test(lb) &&
      plainText.test(family) &&
      (tag === undefined || plainText.test(tag))
    )
      return `"[{\\"discovery\\":\\"${kind}\\",\\"targets\\":[{\\"host\\":\\"${host}\\",\\"port\\":${discovery.targets![0]!.port}}]},{\\"connectTimeoutMs\\":${settings.connectTimeoutMs},\\"lbPolicy\\":\\"${lb}\\",\\"dnsLookupFamily\\":\\"${family}\\"},${tag === undefined ? 'null' : `\\"${tag}\\"`}]"`;
  }
  return JSON.stringify(clusterIdentity(discovery, settings, tag));
}

/** Printable ASCII other than `"` and `\`: JSON.stringify writes it as it is. */
const plainText = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Whether clusterIdentity writes the identity from its values (a DNS cluster of one plain target and the three common settings). */
function writtenIdentity(
  discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>,
  settings: ClusterSettings,
): boolean {
  const targets = discovery.targets;
  return (
    targets !== undefined &&
    targets.length === 1 &&
    discovery.edsServiceName === undefined &&
    typeof discovery.discovery === 'string' &&
    plainDiscovery(discovery) &&
    plainTarget(targets[0]!) &&
    onlyCommonSettings(settings) &&
    plainCommonSettings(settings)
  );
}

/** A discovery of exactly the keys discovery and targets, in that order. */
function plainDiscovery(d: object): boolean {
  let i = 0;
  for (const key in d) {
    if ((i === 0 && key !== 'discovery') || (i === 1 && key !== 'targets') || i > 1) return false;
    i++;
  }
  return i === 2;
}

/** A target of exactly a string host and a finite number port (JSON writes it as String does). */
function plainTarget(t: { host: string; port: number }): boolean {
  let i = 0;
  for (const key in t) {
    if ((i === 0 && key !== 'host') || (i === 1 && key !== 'port') || i > 1) return false;
    i++;
  }
  return i === 2 && typeof t.host === 'string' && typeof t.port === 'number' && Number.isFinite(t.port);
}

/** The three common settings as clusterSettings gives them: those keys in that order, values JSON writes as String does. */
function plainCommonSettings(s: ClusterSettings): boolean {
  let i = 0;
  for (const key in s) {
    if (
      (i === 0 && key !== 'connectTimeoutMs') ||
      (i === 1 && key !== 'lbPolicy') ||
      (i === 2 && key !== 'dnsLookupFamily') ||
      i > 2
    )
      return false;
    i++;
  }
  return (
    i === 3 &&
    typeof s.connectTimeoutMs === 'number' &&
    Number.isFinite(s.connectTimeoutMs) &&
    typeof s.lbPolicy === 'string' &&
    typeof s.dnsLookupFamily === 'string'
  );
}

/** The frozen clusters list of a route forwarding to the cluster `name` alone (Upstream.routeClusters). */
export function routeClustersOf(name: string): readonly IRWeightedCluster[] {
  return Object.freeze([Object.freeze({ cluster: name, weight: 100 })]);
}

/**
 * The provenance of an upstream's cluster until the build gives it its users' (build-clusters, a
 * plain compile) or copies it with theirs (an incremental compiler): one frozen list for all.
 */
const noProvenance: IRCluster['provenance'] = Object.freeze([]) as unknown as IRCluster['provenance'];

type ClusterSettings = Omit<IRCluster, 'name' | 'discovery' | 'targets' | 'edsServiceName' | 'provenance'>;

/**
 * An upstream's IR cluster: `{ name, ...discovery, ...settings, provenance }`, its provenance
 * gathered by the build pass from the Mappings that use it. A DNS cluster without settings of its
 * own (most) is one literal with its keys in the order the spread gives them: no property array
 * per cluster (kept until printing), and no key-by-key copies.
 */
export function upstreamCluster(
  name: string,
  discovery: Pick<IRCluster, 'discovery' | 'targets' | 'edsServiceName'>,
  settings: ClusterSettings,
): IRCluster {
  if (
    discovery.targets !== undefined &&
    discovery.edsServiceName === undefined &&
    onlyCommonSettings(settings)
  )
    return {
      name,
      discovery: discovery.discovery,
      targets: discovery.targets,
      connectTimeoutMs: settings.connectTimeoutMs,
      lbPolicy: settings.lbPolicy,
      dnsLookupFamily: settings.dnsLookupFamily,
      provenance: noProvenance,
    };
  return { name, ...discovery, ...settings, provenance: noProvenance };
}

/** Whether clusterSettings gave only the three settings it always gives (then in that order). */
function onlyCommonSettings(s: ClusterSettings): boolean {
  return (
    s.respectDnsTtl === undefined &&
    s.tls === undefined &&
    s.http2 === undefined &&
    s.idleTimeoutMs === undefined &&
    s.maxConnectionLifetimeMs === undefined &&
    s.circuitBreakers === undefined &&
    s.outlierDetection === undefined &&
    s.healthChecks === undefined &&
    s.tcpKeepalive === undefined &&
    s.perConnectionBufferLimitBytes === undefined &&
    s.extra === undefined
  );
}

/** Cluster settings from the Mapping, falling back to the Module's defaults. */
function clusterSettings(
  spec: MappingFields,
  module: HttpModule['config'],
  tls: IRUpstreamTls | undefined,
  contribution: UpstreamContribution | undefined,
): Omit<IRCluster, 'name' | 'discovery' | 'targets' | 'edsServiceName' | 'provenance'> {
  const out: Omit<IRCluster, 'name' | 'discovery' | 'targets' | 'edsServiceName' | 'provenance'> = {
    connectTimeoutMs: spec.connect_timeout_ms ?? 3000,
  };
  const lb = spec.load_balancer ?? module.load_balancer;
  out.lbPolicy = lb
    ? (
        {
          round_robin: 'ROUND_ROBIN',
          least_request: 'LEAST_REQUEST',
          ring_hash: 'RING_HASH',
          maglev: 'MAGLEV',
        } as const
      )[lb.policy as 'round_robin']
    : 'ROUND_ROBIN';
  const ipv4 = spec.enable_ipv4 ?? module.enable_ipv4 ?? true;
  const ipv6 = spec.enable_ipv6 ?? module.enable_ipv6 ?? false;
  out.dnsLookupFamily = ipv6 ? (ipv4 ? 'AUTO' : 'V6_ONLY') : 'V4_ONLY';
  if (spec.respect_dns_ttl) out.respectDnsTtl = true;
  if (tls) out.tls = tls;
  if (contribution?.http2) out.http2 = true;
  const idle = spec.cluster_idle_timeout_ms ?? module.cluster_idle_timeout_ms;
  if (idle !== undefined) out.idleTimeoutMs = idle;
  const lifetime = spec.cluster_max_connection_lifetime_ms ?? module.cluster_max_connection_lifetime_ms;
  if (lifetime !== undefined) out.maxConnectionLifetimeMs = lifetime;
  const breakers = spec.circuit_breakers ?? module.circuit_breakers;
  if (breakers?.length) {
    out.circuitBreakers = breakers.map((b) => {
      const cb: NonNullable<IRCluster['circuitBreakers']>[number] = {
        priority: b.priority === 'high' ? 'HIGH' : 'DEFAULT',
      };
      if (b.max_connections !== undefined) cb.maxConnections = b.max_connections;
      if (b.max_pending_requests !== undefined) cb.maxPendingRequests = b.max_pending_requests;
      if (b.max_requests !== undefined) cb.maxRequests = b.max_requests;
      if (b.max_retries !== undefined) cb.maxRetries = b.max_retries;
      return cb;
    });
  }
  if (spec.outlier_detection) out.outlierDetection = { ...spec.outlier_detection };
  if (spec.health_checks?.length) {
    const checks: Record<string, unknown>[] = [];
    spec.health_checks.forEach((hc, i) => {
      const check = healthCheck(hc, contribution?.healthCheckers?.[i]);
      if (check) checks.push(check);
    });
    if (checks.length > 0) out.healthChecks = checks;
  }
  const keepalive = spec.keepalive ?? module.keepalive;
  if (keepalive) {
    const k: NonNullable<IRCluster['tcpKeepalive']> = {};
    // The CRD spells it idle_time, Emissary's compiler reads time: honour both.
    const time = keepalive.time ?? keepalive.idle_time;
    if (time !== undefined) k.timeSeconds = time;
    if (keepalive.interval !== undefined) k.intervalSeconds = keepalive.interval;
    if (keepalive.probes !== undefined) k.probes = keepalive.probes;
    out.tcpKeepalive = k;
  }
  return out;
}

type HealthCheckSpec = NonNullable<MappingSpec['health_checks']>[number];

/**
 * One Mapping health check as Envoy HealthCheck proto3 JSON, with Emissary's defaults.
 * A gRPC check's checker comes from feature-grpc (an UpstreamContribution); without
 * it the check is left out (reported at ingest).
 */
function healthCheck(
  hc: HealthCheckSpec,
  contributed: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {
    timeout: durationOf(hc.timeout ?? '3s'),
    interval: durationOf(hc.interval ?? '5s'),
    healthy_threshold: hc.healthy_threshold ?? 1,
    unhealthy_threshold: hc.unhealthy_threshold ?? 2,
  };
  const http = hc.health_check.http;
  if (contributed) {
    Object.assign(out, contributed);
  } else if (http) {
    const h: Record<string, unknown> = { path: http.path };
    if (http.hostname) h.host = http.hostname;
    if (http.remove_request_headers?.length) h.request_headers_to_remove = [...http.remove_request_headers];
    if (http.add_request_headers) {
      h.request_headers_to_add = Object.entries(http.add_request_headers).map(([key, v]) => {
        const { value, append } = headerValue(v);
        return {
          header: { key, value },
          append_action: append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD',
        };
      });
    }
    if (http.expected_statuses?.length) {
      // Envoy ranges are half-open.
      h.expected_statuses = http.expected_statuses.map((r) => ({
        start: String(r.min),
        end: String(r.max + 1),
      }));
    }
    out.http_health_check = h;
  } else {
    return undefined;
  }
  return out;
}

/** '250ms', '3s', '1m' → proto3 JSON duration ('0.250s'). Unknown forms pass through for strict validation to flag. */
export function durationOf(text: string): string {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) return text;
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms'];
  return `${msToSeconds(Number(m[1]) * factor * 1000)}`;
}

export function msToSeconds(ms: number): string {
  return `${(Math.round(ms) / 1000).toFixed(3)}s`;
}

/** A header addition value: 'v' (append) or {value, append}. */
export function headerValue(v: unknown): { value: string; append: boolean } {
  if (v !== null && typeof v === 'object') {
    const o = v as { value?: unknown; append?: unknown };
    return { value: String(o.value ?? ''), append: o.append !== false };
  }
  return { value: String(v), append: true };
}

export { mergeProvenance };
