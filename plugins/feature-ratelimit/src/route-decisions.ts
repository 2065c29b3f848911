import {
  type HttpRouteSource,
  type IRRoute,
  KeptMatches,
  type PassContext,
  type PassMemo,
  type ResourceRef,
} from '@attache/core';
import type { RateLimitInterner } from './intern.js';
import {
  type LabelDialect,
  type LabelDomains,
  labelDialect,
  parseLabels,
  quickRateLimits,
} from './labels.js';
import { bucketStatPrefix, localRateLimitPerRoute, parseLocalRateLimit } from './local.js';

/**
 * What the attach pass puts on every route of one Mapping (shared by all its
 * routes; neither field: nothing), with the names of those routes.
 */
export interface RouteDecision {
  readonly rateLimits: Readonly<Record<string, unknown>>[] | undefined;
  readonly local: Record<string, unknown> | undefined;
  readonly routeNames: readonly string[];
}

/** What every Mapping's decision depends on, fixed for one attach pass. */
export interface DecisionInputs {
  /** Whether a usable RateLimitService exists (labels without one are reported). */
  chosen: boolean;
  /** The RateLimitService's domain, when its cluster was granted (no rate_limits without). */
  serviceDomain?: string;
  intern: RateLimitInterner;
  /** The Module's default actions of a domain, prepended to each label group. */
  prefixOf(domain: string): readonly Record<string, unknown>[];
  /** rate_limits of parsed labels in `domain`, Module defaults merged. */
  rateLimitsOf(
    domains: LabelDomains | undefined,
    domain: string,
  ): Readonly<Record<string, unknown>>[] | undefined;
}

/**
 * Each Mapping's decision, found for a route by its name, and the Mappings with
 * a local bucket. A loop of its own, calling small functions: the attach pass runs
 * once per compile, so a per-Mapping body inside it would run unoptimised (V8
 * optimises functions that are called often, and a long loop only after many turns).
 */
export function routeDecisions(
  ctx: PassContext,
  sources: readonly HttpRouteSource[],
  inputs: DecisionInputs,
  builtinRouteNames: ReadonlySet<string>,
  /** Decide for every Mapping even when none can get anything (tests compare the two). */
  full = false,
): { decisions: RouteDecisions; localRefs: ResourceRef[] } {
  const localRefs: ResourceRef[] = [];
  if (!full && !someMappingDecides(sources, inputs, ctx.memo)) {
    return { decisions: new RouteDecisions(new Map(), [], builtinRouteNames, false), localRefs };
  }
  const bySource = new Map<ResourceRef, RouteDecision>();
  const dialects = new DialectOf();
  let any = false;
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    const decision = sourceDecision(ctx, source, dialects.of(source.ref.apiVersion), inputs);
    if (decision.local) localRefs.push(source.ref);
    if (decision.local || decision.rateLimits) any = true;
    bySource.set(source.ref, decision);
  }
  return { decisions: new RouteDecisions(bySource, sources, builtinRouteNames, any), localRefs };
}

/**
 * Whether any Mapping's decision can hold something or report a problem: one with `labels` or
 * `local_rate_limit`, or every one when the Module's default labels reach Mappings without labels.
 * Otherwise every decision is empty and silent (sourceDecision of a spec without both fields:
 * parseLabels(undefined) has no problems, and rateLimitsOf(undefined) is the defaults), so a
 * compile whose input does not use rate limiting reads two fields per Mapping and nothing more;
 * under an incremental compiler (`memo`), the Mappings with either field are kept (KeptMatches),
 * and an edit tests the changed ones only.
 */
export function someMappingDecides(
  sources: readonly HttpRouteSource[],
  inputs: DecisionInputs,
  memo?: PassMemo,
): boolean {
  const domain = inputs.serviceDomain;
  if (domain !== undefined && inputs.rateLimitsOf(undefined, domain) !== undefined) return true;
  if (memo) return KeptMatches.of(memo, keptRateLimitFields, hasRateLimitFields).in(sources).length > 0;
  for (let i = 0; i < sources.length; i++) if (hasRateLimitFields(sources[i]!)) return true;
  return false;
}

const keptRateLimitFields = {};
const hasRateLimitFields = (source: HttpRouteSource) =>
  source.spec.labels !== undefined || source.spec.local_rate_limit !== undefined;

/**
 * The decision for a route: the one of the Mapping whose route names hold the
 * route's name. The Mapping is looked for first among the route's provenance
 * (its own ref, as the HTTP model writes it), so no index of 20,000 route names is
 * built (hashing each fresh name cost more than the rest of the lookup); a route
 * whose provenance names no such Mapping (another plugin's, or one kept from an
 * earlier compile) is looked up by name in an index built the first time one is.
 */
export class RouteDecisions {
  private byName: Map<string, RouteDecision> | undefined;

  constructor(
    private readonly bySource: ReadonlyMap<ResourceRef, RouteDecision>,
    private readonly sources: readonly HttpRouteSource[],
    private readonly builtinRouteNames: ReadonlySet<string>,
    /** Whether any Mapping's routes get something. */
    readonly any: boolean,
  ) {}

  of(route: IRRoute): RouteDecision | undefined {
    const provenance = route.provenance;
    for (let i = 0; i < provenance.length; i++) {
      const found = this.bySource.get(provenance[i]!);
      if (found && holds(found.routeNames, route.name)) return found;
    }
    if (this.builtinRouteNames.has(route.name)) return undefined;
    return this.nameIndex().get(route.name);
  }

  private nameIndex(): Map<string, RouteDecision> {
    if (!this.byName) {
      this.byName = new Map();
      for (const source of this.sources) {
        const decision = this.bySource.get(source.ref);
        if (decision) for (const name of source.routeNames) this.byName.set(name, decision);
      }
    }
    return this.byName;
  }
}

function holds(names: readonly string[], name: string): boolean {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
  return false;
}

/** labelDialect, remembered for the last apiVersion (Mappings mostly share one: no regex per Mapping). */
class DialectOf {
  private apiVersion: string | undefined;
  private dialect: LabelDialect = 'v3alpha1';
  of(apiVersion: string): LabelDialect {
    if (apiVersion !== this.apiVersion) {
      this.apiVersion = apiVersion;
      this.dialect = labelDialect(apiVersion);
    }
    return this.dialect;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasKeys(record: Record<string, unknown>): boolean {
  for (const _ in record) return true;
  return false;
}

/** One Mapping: rate_limits from its labels, a local bucket from local_rate_limit (one shape, either way). */
function sourceDecision(
  ctx: PassContext,
  source: HttpRouteSource,
  dialect: LabelDialect,
  inputs: DecisionInputs,
): RouteDecision {
  const spec = source.spec as Record<string, unknown>;
  const ref = source.ref;
  const labels = spec.labels;
  const written = isRecord(labels) && hasKeys(labels);
  const domain = inputs.serviceDomain;
  let rateLimits: Readonly<Record<string, unknown>>[] | undefined;
  // The usual case, straight to rate_limits (equal to the full parser's; a test keeps them so).
  const quick =
    domain !== undefined && dialect === 'v3alpha1' && written
      ? quickRateLimits(labels, domain, inputs.prefixOf(domain), inputs.intern)
      : undefined;
  if (quick) {
    rateLimits = quick.limits;
    for (const other of quick.domains) {
      if (other === domain) continue;
      ctx.report({
        code: 'RATELIMIT_LABEL_DOMAIN_UNUSED',
        resource: ref,
        path: `/spec/labels/${other}`,
        message: `labels of domain '${other}' are not sent: the RateLimitService's domain is '${domain}' (Envoy's filter has one domain)`,
      });
    }
  } else {
    const parsed = parseLabels(labels, dialect);
    for (const p of parsed.problems)
      ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (domain !== undefined) {
      rateLimits = inputs.rateLimitsOf(written ? parsed.domains : undefined, domain);
      if (written) {
        for (const other of Object.keys(parsed.domains)) {
          if (other === domain) continue;
          ctx.report({
            code: 'RATELIMIT_LABEL_DOMAIN_UNUSED',
            resource: ref,
            path: `/spec/labels/${other.replace(/~/g, '~0').replace(/\//g, '~1')}`,
            message: `labels of domain '${other}' are not sent: the RateLimitService's domain is '${domain}' (Envoy's filter has one domain)`,
          });
        }
      }
    }
  }
  if (written && !inputs.chosen) {
    ctx.report({
      code: 'RATELIMIT_LABELS_WITHOUT_SERVICE',
      resource: ref,
      path: '/spec/labels',
      message:
        'labels set but no usable RateLimitService exists, so no rate limit applies to this Mapping; create a RateLimitService (protocol_version: v3)',
    });
  }
  let local: Record<string, unknown> | undefined;
  if (spec.local_rate_limit !== undefined) {
    const { bucket, problems } = parseLocalRateLimit(spec.local_rate_limit, '/spec/local_rate_limit');
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (bucket) local = localRateLimitPerRoute(bucket, bucketStatPrefix(ref.kind, ref.namespace, ref.name));
  }
  return { rateLimits, local, routeNames: source.routeNames };
}
