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
 * are most of them). This record has one shape for every Mapping: its reads are monomorphic.
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
 * Every field undefined: one object literal, so every record is a copy of one boilerplate (one
 * shape, the fields in the object itself).
 */
function emptyFields(): Record<Exclude<keyof MappingSpec, UnreadField>, unknown> {
  return {
    prefix: undefined,
    prefix_regex: undefined,
    prefix_exact: undefined,
    case_sensitive: undefined,
    method: undefined,
    method_regex: undefined,
    headers: undefined,
    regex_headers: undefined,
    query_parameters: undefined,
    regex_query_parameters: undefined,
    hostname: undefined,
    host: undefined,
    host_regex: undefined,
    precedence: undefined,
    service: undefined,
    resolver: undefined,
    tls: undefined,
    dns_type: undefined,
    respect_dns_ttl: undefined,
    enable_ipv4: undefined,
    enable_ipv6: undefined,
    connect_timeout_ms: undefined,
    cluster_idle_timeout_ms: undefined,
    cluster_max_connection_lifetime_ms: undefined,
    circuit_breakers: undefined,
    load_balancer: undefined,
    keepalive: undefined,
    health_checks: undefined,
    outlier_detection: undefined,
    cluster_tag: undefined,
    stats_name: undefined,
    rewrite: undefined,
    regex_rewrite: undefined,
    host_rewrite: undefined,
    auto_host_rewrite: undefined,
    host_redirect: undefined,
    path_redirect: undefined,
    prefix_redirect: undefined,
    regex_redirect: undefined,
    redirect_response_code: undefined,
    timeout_ms: undefined,
    priority: undefined,
    idle_timeout_ms: undefined,
    retry_policy: undefined,
    cors: undefined,
    add_request_headers: undefined,
    remove_request_headers: undefined,
    add_response_headers: undefined,
    remove_response_headers: undefined,
    add_linkerd_headers: undefined,
    shadow: undefined,
    weight: undefined,
    allow_upgrade: undefined,
    use_websocket: undefined,
    bypass_auth: undefined,
    auth_context_extensions: undefined,
    labels: undefined,
    bypass_error_response_overrides: undefined,
    error_response_overrides: undefined,
  };
}

/** The schema's field names (the record's keys): what is copied from a spec. */
const fieldNames: ReadonlySet<string> = new Set(Object.keys(emptyFields()));

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
