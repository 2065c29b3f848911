import { durationMs, obj, str } from './json.js';
import type { HcmModel, RouteModel, VirtualHostModel } from './model.js';

type Json = Record<string, unknown>;

const rateLimitFilter = 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit';
const localRateLimitType =
  'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';

/** One descriptor a route's rate_limits entry sends for this request, or why it sends none. */
function descriptor(entry: Json, headers: ReadonlyMap<string, string>, cluster: string | undefined): string {
  const parts: string[] = [];
  for (const action of (entry.actions as Json[] | undefined) ?? []) {
    const [kind, body] = Object.entries(action)[0] ?? [];
    const b = obj(body) ?? {};
    switch (kind) {
      case 'source_cluster':
        parts.push('source_cluster=<this Envoy’s cluster>');
        break;
      case 'destination_cluster':
        parts.push(`destination_cluster=${cluster ?? '<the route’s cluster>'}`);
        break;
      case 'remote_address':
        parts.push('remote_address=<client IP>');
        break;
      case 'generic_key':
        parts.push(`${str(b.descriptor_key) ?? 'generic_key'}=${str(b.descriptor_value) ?? ''}`);
        break;
      case 'request_headers': {
        const name = (str(b.header_name) ?? '').toLowerCase();
        const value = headers.get(name);
        if (value !== undefined) parts.push(`${str(b.descriptor_key)}=${value}`);
        else if (b.skip_if_absent !== true) return `none (no ${name} header)`;
        break;
      }
      default:
        parts.push(`${kind}=<not modelled>`);
    }
  }
  return `(${parts.join(', ')})`;
}

/**
 * What the rate-limit filters do with this request on this route: the
 * descriptors the global filter sends (with the request's header values), and
 * the local token bucket that applies (the route's, else the virtual host's).
 * Undefined when neither filter is in the connection manager.
 */
export function rateLimitNote(
  hcm: HcmModel,
  vhost: VirtualHostModel,
  route: RouteModel,
  headers: ReadonlyMap<string, string>,
): string | undefined {
  const notes: string[] = [];
  const global = hcm.httpFilters.find((f) => str(f.config?.['@type']) === rateLimitFilter);
  if (global) {
    const domain = str(global.config?.domain) ?? '';
    const entries = (route.route?.rate_limits as Json[] | undefined) ?? [];
    const cluster = str(route.route?.cluster);
    notes.push(
      entries.length === 0
        ? `rate limit (domain ${domain}): no labels, no descriptor sent, never limited`
        : `rate limit (domain ${domain}): sends ${entries.map((e) => descriptor(e, headers, cluster)).join(', ')}${global.config?.failure_mode_deny === true ? '; 500 if the service is down' : ''}`,
    );
  }
  const local = hcm.httpFilters.find((f) => str(f.config?.['@type']) === localRateLimitType);
  if (local) {
    const fromRoute = obj(route.typedPerFilterConfig?.[local.name]);
    const fromHost = obj(vhost.typedPerFilterConfig?.[local.name]);
    const config = fromRoute ?? fromHost;
    const bucket = obj(config?.token_bucket);
    if (config && bucket && config.filter_enabled !== undefined) {
      const fill = str(bucket.fill_interval);
      notes.push(
        `local rate limit (${fromRoute ? 'this route' : 'this virtual host'}): ${bucket.max_tokens} tokens, +${bucket.tokens_per_fill ?? 1} every ${fill ? `${durationMs(fill)}ms` : '?'}; refused: ${str(obj(config.status)?.code) ?? '429'}`,
      );
    }
  }
  return notes.length > 0 ? notes.join('; ') : undefined;
}
