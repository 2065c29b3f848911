import type { MappingSpec } from '../schemas/mapping.js';
import type { SpecRecord } from './clean-spec.js';

/**
 * A Mapping's spec fields as the http passes read them: every field of the schema but those they
 * never read (`unread`), in the schema's order, `undefined` where the spec does not set it (or
 * sets it to undefined: the passes read the two alike, `=== undefined`). Read-only, and never
 * handed to another plugin.
 *
 * Why a copy: the YAML reader builds each spec key by key in the order the user wrote, with
 * the fields the user set, so 10,000 Mappings have hundreds of object shapes and every
 * `spec.x` read of the passes is a megamorphic lookup (slowest for the absent fields, which
 * are most of them). This record has one shape for every Mapping that sets only common fields
 * (commonFields; nearly all do), so its reads are monomorphic; the rare fields are absent unless
 * set.
 * The spec itself stays as it is, for other plugins (which look at its keys) and as the
 * identity memo tables are keyed by.
 */
export type MappingFields = {
  readonly [K in Exclude<keyof Required<MappingSpec>, UnreadField>]: MappingSpec[K];
};

/**
 * Fields no http pass reads (admission reads ambassador_id from the spec itself; the others are
 * feature plugins'): not copied, so each of the 10,000 records is three fields smaller.
 */
export const unreadFields = ['ambassador_id', 'grpc', 'docs'] as const;
type UnreadField = (typeof unreadFields)[number];

/**
 * The fields most Mappings set (those of Emissary's examples and of the bench's generated
 * Mappings: match, service, rewrite, timeouts, a few header and upstream settings): own slots of
 * every record, assigned in this order, so that records of such Mappings share one shape.
 */
const commonFields = [
  'prefix',
  'prefix_regex',
  'method',
  'headers',
  'regex_headers',
  'query_parameters',
  'regex_query_parameters',
  'hostname',
  'host',
  'precedence',
  'service',
  'tls',
  'circuit_breakers',
  'load_balancer',
  'rewrite',
  'timeout_ms',
  'idle_timeout_ms',
  'retry_policy',
  'add_request_headers',
  'weight',
] as const satisfies ReadonlyArray<keyof MappingSpec>;

/**
 * The other fields the passes read: absent from a record (read as undefined) unless its spec
 * sets them (then an own property, of another shape). An absent field is read as cheaply as an
 * own slot, and each of the 10,000 records is ~40 slots (~320 bytes) smaller than one with
 * every field its own: records live until the output is printed, and every byte of them is
 * copied twice by the young-generation collector.
 */
const rareFields = [
  'prefix_exact',
  'case_sensitive',
  'method_regex',
  'host_regex',
  'resolver',
  'dns_type',
  'respect_dns_ttl',
  'enable_ipv4',
  'enable_ipv6',
  'connect_timeout_ms',
  'cluster_idle_timeout_ms',
  'cluster_max_connection_lifetime_ms',
  'keepalive',
  'health_checks',
  'outlier_detection',
  'cluster_tag',
  'stats_name',
  'regex_rewrite',
  'host_rewrite',
  'auto_host_rewrite',
  'host_redirect',
  'path_redirect',
  'prefix_redirect',
  'regex_redirect',
  'redirect_response_code',
  'priority',
  'cors',
  'add_response_headers',
  'remove_request_headers',
  'remove_response_headers',
  'add_linkerd_headers',
  'shadow',
  'allow_upgrade',
  'use_websocket',
  'bypass_auth',
  'auth_context_extensions',
  'labels',
  'bypass_error_response_overrides',
  'error_response_overrides',
] as const satisfies ReadonlyArray<keyof MappingSpec>;

/**
 * A record with every common field undefined, its own, in commonFields' order: one object
 * literal (one shape, slots in the object, made by copying the literal's template rather than
 * by a constructor defining 20 fields one by one, 10,000 times, mostly unoptimised).
 */
function newRecord(): Record<string, unknown> {
  return {
    prefix: undefined,
    prefix_regex: undefined,
    method: undefined,
    headers: undefined,
    regex_headers: undefined,
    query_parameters: undefined,
    regex_query_parameters: undefined,
    hostname: undefined,
    host: undefined,
    precedence: undefined,
    service: undefined,
    tls: undefined,
    circuit_breakers: undefined,
    load_balancer: undefined,
    rewrite: undefined,
    timeout_ms: undefined,
    idle_timeout_ms: undefined,
    retry_policy: undefined,
    add_request_headers: undefined,
    weight: undefined,
  };
}

/** Every field the passes read is listed once, common or rare: a schema field left out fails to compile. */
type Listed = (typeof commonFields)[number] | (typeof rareFields)[number];
type Unlisted = Exclude<Exclude<keyof MappingSpec, UnreadField>, Listed>;
const everyFieldListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyFieldListed;

function emptyFields(): Record<Exclude<keyof MappingSpec, UnreadField>, unknown> {
  return newRecord() as Record<Exclude<keyof MappingSpec, UnreadField>, unknown>;
}

/** The schema's field names the passes read (the record's fields): what is copied from a spec. */
export const recordFields: readonly string[] = [...commonFields, ...rareFields];
const fieldNames: ReadonlySet<string> = new Set(recordFields);

/** The fields every record has as its own, in order. */
export const ownRecordFields: readonly string[] = commonFields;

/** The record as admission fills it, in its walk over a clean spec's keys (admit.ts, cleanSpecCheck). */
export const mappingRecord: SpecRecord = { keys: fieldNames, make: emptyFields };

/**
 * The record of an admitted spec. Walks the keys the spec has (a handful) rather than reading
 * every field of it: reading the absent ones is what is slow. Keys the schema does not declare
 * (admission lets them through for other plugins) are left out.
 */
export function mappingFieldsOf(spec: MappingSpec): MappingFields {
  const fields = emptyFields();
  const source = spec as Record<string, unknown>;
  for (const key in source) {
    if (!fieldNames.has(key) || !Object.hasOwn(source, key)) continue;
    fields[key as keyof MappingFields] = source[key];
  }
  return fields as MappingFields;
}
