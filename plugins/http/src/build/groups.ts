import {
  compareStrings,
  contentHash,
  type IRHeaderMatch,
  type IRPathMatch,
  type IRQueryParameterMatch,
  type IRRouteMatch,
  type IRStringMatch,
  type PassContext,
} from '@attache/core';
import type { HttpMapping } from '../model.js';

/** A member of a route group: one Mapping and, in a canary, its cumulative share. */
export interface GroupMember {
  mapping: HttpMapping;
  /** Cumulative runtime_fraction numerator (canary); absent when the group has one member. */
  cumulative?: number;
}

/**
 * Mappings with identical match criteria: one canary group, one slot in the
 * route order. Emissary's IRHTTPMappingGroup.
 */
export interface RouteGroup {
  key: string;
  match: IRRouteMatch;
  authority?: { glob: string } | { regex: string };
  members: GroupMember[];
  shadows: HttpMapping[];
  runtimeKey: string;
  /**
   * Emissary's route weight, compared descending (compareGroups), field by field: precedence,
   * prefix length, header-match text length, query-match text length, prefix, method. Fields of
   * the group itself rather than a tuple: no six-slot list per group (~10,000 at 10 x 10,000,
   * each living through the build's collections).
   */
  readonly precedence: number;
  readonly prefixLength: number;
  readonly headerLength: number;
  readonly queryLength: number;
  readonly prefix: string;
  readonly method: string;
  /** One plain Mapping (no canary, no shadow, no conflict): match and authority are its own. */
  single?: true;
}

/**
 * Groups Mappings by match, settles canary weights, reports conflicts, and
 * returns the groups in Emissary's route order: precedence, then prefix
 * length, then header-match text length, then query-match text length, then
 * the prefix and method strings — all descending — with the group key as the
 * final tie-break so the order never depends on input order.
 */
/**
 * No Host selects Mappings by label. A module-level function: a group's lazy key holds the
 * function it is given, and a closure made inside a pass would hold that pass's scope (its
 * `ctx`, and so the IR of the compile that made the group, for as long as the group is kept).
 */
export const noSelectingHosts = (_mapping: HttpMapping): string => '';

export function buildRouteGroups(
  ctx: PassContext,
  mappings: readonly HttpMapping[],
  selectingHosts: (mapping: HttpMapping) => string = noSelectingHosts,
): RouteGroup[] {
  // A plain compile never sees these spec objects again: no match kept with them (matchOf).
  const keep = ctx.memo !== undefined;
  const settling = new Settling(ctx);
  const sorted = groupsInRouteOrder(settling, mappings, selectingHosts, keep);
  // A criterion that does not pack (nothing settled, nothing reported yet): the plain way.
  if (sorted === undefined) return groupsByPrefix(ctx, mappings, selectingHosts, keep);
  settling.flush(mappings);
  return sorted;
}

/**
 * buildRouteGroups the plain way: Mappings by prefix, groups of each prefix (one per match key),
 * sorted (sortGroups). What groupsInRouteOrder gives without a map of every prefix.
 */
export function groupsByPrefix(
  ctx: Pick<PassContext, 'report'>,
  mappings: readonly HttpMapping[],
  selectingHosts: (mapping: HttpMapping) => string = noSelectingHosts,
  keep = true,
): RouteGroup[] {
  const byPrefix = mappingsByPrefix(mappings);
  const groups: RouteGroup[] = [];
  // forEach, not for..of: no iterator result per prefix (most of the time this runs unoptimised).
  byPrefix.forEach((bucket) => {
    // Most prefixes are one Mapping's: its group is made without a list around it.
    if (!Array.isArray(bucket)) groups.push(groupOfOne(ctx, bucket, selectingHosts, keep));
    else {
      const made = groupsOfBucket(ctx, bucket, selectingHosts, keep);
      for (let i = 0; i < made.length; i++) groups.push(made[i]!);
    }
  });
  return sortGroups(groups);
}

/**
 * The diagnostics of settling canary groups (settleWeights), given in the order groupsByPrefix
 * gives them: by the first Mapping of the group's prefix, then by the group's first Mapping (the
 * order it makes groups in). groupsInRouteOrder settles groups in route order instead.
 */
class Settling {
  readonly ctx: Pick<PassContext, 'report'>;
  /** The first Mapping of the group being settled. */
  first: HttpMapping | undefined = undefined;
  reports: Array<{ first: HttpMapping; diagnostic: Parameters<PassContext['report']>[0] }> | undefined =
    undefined;
  constructor(ctx: Pick<PassContext, 'report'>) {
    this.ctx = ctx;
  }
  report(diagnostic: Parameters<PassContext['report']>[0]): void {
    this.reports ??= [];
    this.reports.push({ first: this.first!, diagnostic });
  }
  /** Gives the diagnostics to the pass, in groupsByPrefix's order (rare: conflicts and overflows). */
  flush(mappings: readonly HttpMapping[]): void {
    const reports = this.reports;
    if (reports === undefined) return;
    const prefixAt = new Map<string, number>();
    const at = new Map<HttpMapping, number>();
    for (let i = 0; i < mappings.length; i++) {
      const m = mappings[i]!;
      if (!prefixAt.has(m.fields.prefix)) prefixAt.set(m.fields.prefix, i);
      if (!at.has(m)) at.set(m, i);
    }
    // A stable sort: a group's diagnostics keep their order.
    reports.sort(
      (a, b) =>
        prefixAt.get(a.first.fields.prefix)! - prefixAt.get(b.first.fields.prefix)! ||
        at.get(a.first)! - at.get(b.first)!,
    );
    for (const r of reports) this.ctx.report(r.diagnostic);
  }
}

/**
 * groupsByPrefix without a map of every prefix (most prefixes are one Mapping's): each Mapping's
 * group is made alone and put in route order as sortGroups does; only Mappings that share every
 * criterion and the prefix meet there (Mappings of one match key always do), and are grouped by
 * key then. Canary and shadow groups are settled there too, their diagnostics held by `settling`.
 * Undefined when a criterion does not pack (nothing is settled then).
 */
function groupsInRouteOrder(
  settling: Settling,
  mappings: readonly HttpMapping[],
  selectingHosts: (mapping: HttpMapping) => string,
  keep: boolean,
): RouteGroup[] | undefined {
  const buckets = new Map<number, RouteGroup[]>();
  for (let i = 0; i < mappings.length; i++) {
    const mapping = mappings[i]!;
    const { match, headerLen, queryLen } = keep ? matchOf(mapping) : matchOfSpec(mapping);
    const fields = mapping.fields;
    // A plain Mapping's group as groupOfOne makes it; a canary or shadow one is settled later.
    const group =
      !fields.shadow && fields.weight === undefined
        ? makeGroup(settling, undefined, selectingHosts, match, [mapping], headerLen, queryLen)
        : unsettled(mapping, selectingHosts, match, headerLen, queryLen);
    const packed = packedCriteria(group.precedence, group.prefixLength, headerLen, queryLen);
    if (packed === undefined) return undefined;
    addToBucket(buckets, packed, group);
  }
  const order = keysDescending(buckets);
  const sorted: RouteGroup[] = [];
  for (let i = 0; i < order.length; i++) {
    const bucket = buckets.get(order[i]!)!;
    if (bucket.length === 1) sorted.push(settled(settling, bucket[0]!, selectingHosts));
    else sortByPrefix(bucket, sorted, settling, selectingHosts);
  }
  return sorted;
}

/**
 * A canary or shadow Mapping's group before groupsInRouteOrder settles it: its one Mapping as a
 * plain member, not `single` (every group made alone for a plain Mapping is).
 */
function unsettled(
  mapping: HttpMapping,
  selectingHosts: (mapping: HttpMapping) => string,
  match: IRRouteMatch,
  headerLen: number,
  queryLen: number,
): RouteGroup {
  const fields = mapping.fields;
  const group = new Group(
    undefined,
    selectingHosts,
    mapping,
    match,
    [{ mapping }],
    noShadows,
    fields.precedence ?? 0,
    fields.prefix.length,
    headerLen,
    queryLen,
    fields.prefix,
    fields.method ?? 'GET',
  );
  if (mapping.authority) group.authority = mapping.authority;
  return group;
}

/** A group alone on its criteria and prefix: as made (a plain Mapping's), or settled now (unsettled). */
function settled(
  settling: Settling,
  group: RouteGroup,
  selectingHosts: (mapping: HttpMapping) => string,
): RouteGroup {
  if (group.single === true) return group;
  const mapping = group.members[0]!.mapping;
  settling.first = mapping;
  return makeGroup(
    settling,
    undefined,
    selectingHosts,
    group.match,
    [mapping],
    group.headerLength,
    group.queryLength,
  );
}

/** The groups of Mappings sharing one prefix (unsorted): one per match key. */
/**
 * Mappings by prefix (one Mapping, or several in input order). Mappings with different prefixes
 * never share a match, and most prefixes are unique: only Mappings sharing one need the full
 * match key to be grouped. A lone Mapping is kept bare, not in an array of its own.
 */
export function mappingsByPrefix(mappings: readonly HttpMapping[]): Map<string, HttpMapping | HttpMapping[]> {
  const byPrefix = new Map<string, HttpMapping | HttpMapping[]>();
  for (let i = 0; i < mappings.length; i++) {
    const mapping = mappings[i]!;
    const prefix = mapping.fields.prefix;
    const known = byPrefix.get(prefix);
    if (known === undefined) byPrefix.set(prefix, mapping);
    else if (Array.isArray(known)) known.push(mapping);
    else byPrefix.set(prefix, [known, mapping]);
  }
  return byPrefix;
}

export function groupsOfBucket(
  ctx: Pick<PassContext, 'report'>,
  bucket: readonly HttpMapping[],
  selectingHosts: (mapping: HttpMapping) => string,
  keep = true,
): RouteGroup[] {
  if (bucket.length === 1) return [groupOfOne(ctx, bucket[0]!, selectingHosts, keep)];
  const byKey = new Map<
    string,
    { match: IRRouteMatch; mapping: HttpMapping[]; headerLen: number; queryLen: number }
  >();
  for (const mapping of bucket) {
    const { match, headerLen, queryLen } = keep ? matchOf(mapping) : matchOfSpec(mapping);
    const key = keyOf(match, mapping, selectingHosts);
    const entry = byKey.get(key);
    if (entry) entry.mapping.push(mapping);
    else byKey.set(key, { match, mapping: [mapping], headerLen, queryLen });
  }
  const groups: RouteGroup[] = [];
  for (const [key, entry] of byKey) {
    groups.push(makeGroup(ctx, key, undefined, entry.match, entry.mapping, entry.headerLen, entry.queryLen));
  }
  return groups;
}

/** The group of a Mapping alone on its prefix: its key is made only if the route order needs it. */
function groupOfOne(
  ctx: Pick<PassContext, 'report'>,
  only: HttpMapping,
  selectingHosts: (mapping: HttpMapping) => string,
  keep: boolean,
): RouteGroup {
  const { match, headerLen, queryLen } = keep ? matchOf(only) : matchOfSpec(only);
  return makeGroup(ctx, undefined, selectingHosts, match, [only], headerLen, queryLen);
}

/**
 * groups.sort(compareGroups), faster: Emissary's first four criteria are
 * small integers, so they pack into one number per group; groups are
 * bucketed by it, the distinct numbers sorted natively (descending), and only
 * groups sharing a number are compared in full. Falls back to the plain sort
 * when a value does not fit.
 */
export function sortGroups(groups: RouteGroup[]): RouteGroup[] {
  const buckets = new Map<number, RouteGroup[]>();
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    const packed = packedCriteria(
      group.precedence,
      group.prefixLength,
      group.headerLength,
      group.queryLength,
    );
    if (packed === undefined) return groups.sort(compareGroups);
    addToBucket(buckets, packed, group);
  }
  const order = keysDescending(buckets);
  const sorted: RouteGroup[] = [];
  for (let i = 0; i < order.length; i++) {
    const bucket = buckets.get(order[i]!)!;
    if (bucket.length === 1) sorted.push(bucket[0]!);
    else sortByPrefix(bucket, sorted);
  }
  return sorted;
}

/**
 * sortGroups' numeric criteria (precedence, prefix, header and query lengths) packed into one
 * number that orders as they do: at most 16 + 3×12 = 52 bits, exact in a double. Undefined when
 * one does not fit (the caller then sorts with compareGroups).
 */
function packedCriteria(
  precedence: number,
  prefixLength: number,
  headerLength: number,
  queryLength: number,
): number | undefined {
  if (
    !Number.isInteger(precedence) ||
    precedence < -32768 ||
    precedence > 32767 ||
    prefixLength > 4095 ||
    headerLength > 4095 ||
    queryLength > 4095
  )
    return undefined;
  return (((precedence + 32768) * 4096 + prefixLength) * 4096 + headerLength) * 4096 + queryLength;
}

/** Adds `group` to the bucket of its packed criteria. */
function addToBucket(buckets: Map<number, RouteGroup[]>, packed: number, group: RouteGroup): void {
  const bucket = buckets.get(packed);
  if (bucket) bucket.push(group);
  else buckets.set(packed, [group]);
}

/** The buckets' packed criteria, highest (first in route order) first. */
function keysDescending(buckets: Map<number, RouteGroup[]>): Float64Array {
  return Float64Array.from(buckets.keys()).sort().reverse();
}

/**
 * Appends groups with equal numeric criteria in compareGroups order: by
 * prefix text descending (the default sort compares UTF-16 code units, as
 * compareStrings does, without a callback per comparison), then the full
 * comparator among groups sharing a prefix.
 */
function sortByPrefix(
  bucket: RouteGroup[],
  out: RouteGroup[],
  settling?: Settling,
  selectingHosts?: (mapping: HttpMapping) => string,
): void {
  // A group alone on its prefix (most) is kept bare, not in a list of its own.
  const byPrefix = new Map<string, RouteGroup | RouteGroup[]>();
  const prefixes: string[] = [];
  for (let i = 0; i < bucket.length; i++) {
    const group = bucket[i]!;
    const prefix = group.prefix;
    const same = byPrefix.get(prefix);
    if (same === undefined) {
      byPrefix.set(prefix, group);
      prefixes.push(prefix);
    } else if (Array.isArray(same)) same.push(group);
    else byPrefix.set(prefix, [same, group]);
  }
  prefixes.sort().reverse();
  for (let i = 0; i < prefixes.length; i++) {
    let same = byPrefix.get(prefixes[i]!)!;
    if (!Array.isArray(same)) {
      out.push(settling !== undefined ? settled(settling, same, selectingHosts!) : same);
      continue;
    }
    if (settling !== undefined) same = groupedByKey(settling, same);
    same.sort(compareGroups);
    for (let j = 0; j < same.length; j++) out.push(same[j]!);
  }
}

/**
 * The groups of Mappings sharing criteria and prefix, each made alone (groupsInRouteOrder, input
 * order): one per match key, as groupsOfBucket makes them (the key known, the first Mapping's match).
 */
function groupedByKey(settling: Settling, alone: readonly RouteGroup[]): RouteGroup[] {
  const byKey = new Map<string, { first: RouteGroup; mappings: HttpMapping[] }>();
  for (let i = 0; i < alone.length; i++) {
    const group = alone[i]!;
    const key = group.key;
    const entry = byKey.get(key);
    if (entry) entry.mappings.push(group.members[0]!.mapping);
    else byKey.set(key, { first: group, mappings: [group.members[0]!.mapping] });
  }
  const groups: RouteGroup[] = [];
  for (const [key, { first, mappings }] of byKey) {
    settling.first = mappings[0]!;
    groups.push(
      makeGroup(settling, key, undefined, first.match, mappings, first.headerLength, first.queryLength),
    );
  }
  return groups;
}

/**
 * The identity of a match: built in a fixed key order, so plain JSON is
 * canonical here (and far cheaper than sorting keys). A Mapping without
 * hostname belongs to the Hosts whose mappingSelector picks it, so Mappings
 * picked by different Hosts are different groups (not a canary).
 */
function keyOf(
  match: IRRouteMatch,
  mapping: HttpMapping,
  selectingHosts: (mapping: HttpMapping) => string,
): string {
  const selectedBy = mapping.authority ? '' : selectingHosts(mapping);
  return JSON.stringify([match, mapping.authority ?? null, mapping.fields.precedence ?? 0, selectedBy]);
}

/** A group; a lone Mapping's key is only computed if the route order needs the tie-break. */
function makeGroup(
  ctx: Pick<PassContext, 'report'>,
  knownKey: string | undefined,
  selectingHosts: ((mapping: HttpMapping) => string) | undefined,
  match: IRRouteMatch,
  mappings: HttpMapping[],
  headerLen: number,
  queryLen: number,
): RouteGroup {
  const only = mappings.length === 1 ? mappings[0]! : undefined;
  let members: GroupMember[];
  let shadows: HttpMapping[];
  if (only && !only.fields.shadow && only.fields.weight === undefined) {
    // The common case, kept allocation-light: one plain Mapping per match.
    members = [{ mapping: only }];
    shadows = noShadows;
  } else {
    shadows = mappings.filter((m) => m.fields.shadow);
    members = settleWeights(
      ctx,
      mappings.filter((m) => !m.fields.shadow),
    );
  }
  const first = mappings[0]!;
  const fields = first.fields;
  const group = new Group(
    knownKey,
    selectingHosts,
    knownKey === undefined ? first : undefined,
    match,
    members,
    shadows,
    fields.precedence ?? 0,
    fields.prefix.length,
    headerLen,
    queryLen,
    fields.prefix,
    fields.method ?? 'GET',
  );
  if (only && members.length === 1 && members[0]!.mapping === only && shadows.length === 0)
    group.single = true;
  if (members.length > 1) group.runtimeKey = `routing.traffic_shift.${contentHash(group.key).slice(0, 12)}`;
  if (first.authority) group.authority = first.authority;
  return group;
}

/** The shadows of a group that has none: one list for all of them (read, never edited). */
const noShadows: HttpMapping[] = [];

/**
 * A route group as a class: its lazy key is a getter on the prototype. (An object literal with
 * a getter of its own, one closure per group, is held in dictionary mode, and every property read
 * of the sort, the association and the route build was a slow lookup.)
 */
class Group implements RouteGroup {
  // Declared, not defined: a class field is defined (as undefined) before the constructor assigns
  // it, two writes per field of each of ~10,000 groups, most of them run unoptimised. Assigned in
  // the order the fields had as class fields (one shape).
  /** The key once made (or given). */
  declare private known: string | undefined;
  /** Set while the key is not made (a lone Mapping's group): what the key needs besides the group. */
  declare private selectingHosts: ((mapping: HttpMapping) => string) | undefined;
  declare private keyMapping: HttpMapping | undefined;
  declare readonly match: IRRouteMatch;
  declare readonly members: GroupMember[];
  declare readonly shadows: HttpMapping[];
  declare readonly precedence: number;
  declare readonly prefixLength: number;
  declare readonly headerLength: number;
  declare readonly queryLength: number;
  declare readonly prefix: string;
  declare readonly method: string;
  declare runtimeKey: string;
  declare authority?: RouteGroup['authority'];
  declare single?: true;
  constructor(
    known: string | undefined,
    selectingHosts: ((mapping: HttpMapping) => string) | undefined,
    keyMapping: HttpMapping | undefined,
    match: IRRouteMatch,
    members: GroupMember[],
    shadows: HttpMapping[],
    precedence: number,
    prefixLength: number,
    headerLength: number,
    queryLength: number,
    prefix: string,
    method: string,
  ) {
    this.known = known;
    this.selectingHosts = selectingHosts;
    this.keyMapping = keyMapping;
    this.match = match;
    this.members = members;
    this.shadows = shadows;
    this.precedence = precedence;
    this.prefixLength = prefixLength;
    this.headerLength = headerLength;
    this.queryLength = queryLength;
    this.prefix = prefix;
    this.method = method;
    this.runtimeKey = '';
    this.authority = undefined;
    this.single = undefined;
  }

  get key(): string {
    if (this.known === undefined) {
      this.known = keyOf(this.match, this.keyMapping!, this.selectingHosts!);
      this.selectingHosts = undefined;
      this.keyMapping = undefined;
    }
    return this.known;
  }
}

export function compareGroups(a: RouteGroup, b: RouteGroup): number {
  // Unrolled (it runs n·log n times): numbers descending, then strings descending, then the key.
  if (a.precedence !== b.precedence) return b.precedence - a.precedence;
  if (a.prefixLength !== b.prefixLength) return b.prefixLength - a.prefixLength;
  if (a.headerLength !== b.headerLength) return b.headerLength - a.headerLength;
  if (a.queryLength !== b.queryLength) return b.queryLength - a.queryLength;
  if (a.prefix !== b.prefix) return compareStrings(b.prefix, a.prefix);
  if (a.method !== b.method) return compareStrings(b.method, a.method);
  return compareStrings(a.key, b.key);
}

/**
 * Canary shares: weighted Mappings first (by namespace/name), then the one
 * unweighted Mapping takes the remainder. A second unweighted Mapping is a
 * conflict; shares past 100 overflow. Both are reported on the later Mapping,
 * which is dropped.
 */
function settleWeights(ctx: Pick<PassContext, 'report'>, primaries: HttpMapping[]): GroupMember[] {
  const sorted = [...primaries].sort((a, b) => compareStrings(a.id, b.id));
  const weighted = sorted.filter((m) => m.fields.weight !== undefined);
  const unweighted = sorted.filter((m) => m.fields.weight === undefined);
  for (const extra of unweighted.slice(1)) {
    ctx.report({
      code: 'MAPPING_CONFLICT',
      resource: extra.ref,
      path: '/spec/prefix',
      message: `Mapping ${unweighted[0]!.id} already has the same match (prefix, hostname, method, headers, query); change the match, or set spec.weight on both for a canary`,
    });
  }
  const members: GroupMember[] = [];
  let total = 0;
  for (const m of weighted) {
    const w = m.fields.weight!;
    if (total + w > 100) {
      ctx.report({
        code: 'MAPPING_WEIGHT_OVERFLOW',
        resource: m.ref,
        path: '/spec/weight',
        message: `weights of the Mappings sharing this match would reach ${total + w}; lower spec.weight so they add up to at most 100`,
      });
      continue;
    }
    total += w;
    if (w > 0) members.push({ mapping: m, cumulative: total });
  }
  if (unweighted[0]) members.push({ mapping: unweighted[0], cumulative: 100 });
  else if (members.length > 0) members[members.length - 1]!.cumulative = 100;
  if (members.length === 1) delete members[0]!.cumulative;
  return members;
}

const lengthOf = (name: string, value: string, regex: boolean) =>
  name.length + value.length + (regex ? 1 : 0);

/** The request match of a Mapping (without :authority and x-forwarded-proto, which depend on Host and Listener). */
function matchOf(mapping: HttpMapping): MatchOf {
  // A function of the spec alone (authority comes from it): kept with the spec object, which
  // stays the same while the Mapping is unchanged. The match is plain data, never mutated.
  let known = matches.get(mapping.spec);
  if (known === undefined) {
    known = matchOfSpec(mapping);
    matches.set(mapping.spec, known);
  }
  return known;
}

interface MatchOf {
  match: IRRouteMatch;
  headerLen: number;
  queryLen: number;
}

const matches = new WeakMap<object, MatchOf>();

const byName = (a: { name: string }, b: { name: string }): number => compareStrings(a.name, b.name);

/**
 * One match per key of `values` (exact, or regex), pushed onto `out` in key order, `skip` left
 * out (a header's `:authority` that became the Mapping's authority); returns their lengthOf sum.
 */
function pushMatches(
  values: Readonly<Record<string, string>> | undefined,
  regex: boolean,
  out: Array<{ name: string; match?: IRStringMatch }>,
  skip?: string,
): number {
  if (values === undefined) return 0;
  let length = 0;
  const names = Object.keys(values);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (name === skip) continue;
    const value = values[name]!;
    out.push({ name, match: regex ? { regex: value } : { exact: value } });
    length += lengthOf(name, value, regex);
  }
  return length;
}

function matchOfSpec(mapping: HttpMapping): MatchOf {
  const spec = mapping.fields;
  const path: IRPathMatch = spec.prefix_regex
    ? { kind: 'regex', value: spec.prefix }
    : spec.prefix_exact
      ? { kind: 'path', value: spec.prefix }
      : { kind: 'prefix', value: spec.prefix };
  // Lists only for a Mapping that sets those fields (most set none).
  let headers: IRHeaderMatch[] | undefined;
  let headerLen = 0;
  if (spec.method) {
    headers = [
      {
        name: ':method',
        match: spec.method_regex ? { regex: spec.method } : { exact: spec.method },
      },
    ];
    headerLen += lengthOf(':method', spec.method, spec.method_regex === true);
  }
  if (spec.headers !== undefined || spec.regex_headers !== undefined) {
    headers ??= [];
    const authorityFromHeader = spec.hostname === undefined && spec.host === undefined;
    // Keys, not entries, and only of the fields present: no pair arrays or empty objects per Mapping.
    headerLen += pushMatches(spec.headers, false, headers, authorityFromHeader ? ':authority' : undefined);
    headerLen += pushMatches(spec.regex_headers, true, headers);
  }
  const authority = mapping.authority;
  if (authority) {
    if ('regex' in authority) headerLen += lengthOf(':authority', authority.regex, true);
    else if (authority.glob !== '*') headerLen += lengthOf(':authority', authority.glob, false);
  }
  if (headers !== undefined)
    headers = headers.length === 0 ? undefined : headers.length > 1 ? headers.sort(byName) : headers;
  let queryLen = 0;
  let query: IRQueryParameterMatch[] | undefined;
  if (spec.query_parameters !== undefined || spec.regex_query_parameters !== undefined) {
    query = [];
    queryLen = pushMatches(spec.query_parameters, false, query);
    queryLen += pushMatches(spec.regex_query_parameters, true, query);
    query = query.length === 0 ? undefined : query.length > 1 ? query.sort(byName) : query;
  }
  return { match: routeMatch(path, spec.case_sensitive === false, headers, query), headerLen, queryLen };
}

/**
 * `{ path, caseSensitive: false?, headers?, queryParameters? }`, each key only when set, in that
 * order. Written as literals of exactly the keys set: a match given a key after its literal was
 * made holds it in a property array of its own (~3,000 route matches at 10 x 10,000, kept until
 * the output is printed).
 */
export function routeMatch(
  path: IRPathMatch,
  caseInsensitive: boolean,
  headers: IRHeaderMatch[] | undefined,
  query: IRQueryParameterMatch[] | undefined,
): IRRouteMatch {
  if (!caseInsensitive) {
    if (headers === undefined) return query === undefined ? { path } : { path, queryParameters: query };
    return query === undefined ? { path, headers } : { path, headers, queryParameters: query };
  }
  // Rare: an empty literal has room for four keys of its own.
  const match = {} as IRRouteMatch;
  match.path = path;
  match.caseSensitive = false;
  if (headers !== undefined) match.headers = headers;
  if (query !== undefined) match.queryParameters = query;
  return match;
}
