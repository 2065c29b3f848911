import { type JsonObject, obj, stableStringify, str } from './json.js';
import type { HcmModel, RouteModel } from './model.js';

const customResponseType =
  'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse';
const filterConfigType = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';
const statusInputType = 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput';

/** Status code → what the response becomes, for a matcher keyed by the response status; undefined for other matchers. */
function policiesByStatus(config: JsonObject): Map<string, string> | undefined {
  const tree = obj(obj(config.custom_response_matcher)?.matcher_tree);
  if (!config.custom_response_matcher) return new Map();
  const input = obj(obj(tree?.input)?.typed_config);
  const map = obj(obj(tree?.exact_match_map)?.map);
  if (!tree || !map || str(input?.['@type']) !== statusInputType) return undefined;
  const out = new Map<string, string>();
  for (const [status, onMatch] of Object.entries(map)) {
    const policy = obj(obj(obj(onMatch)?.action)?.typed_config) ?? {};
    out.set(status, describePolicy(policy));
  }
  return out;
}

function describePolicy(policy: JsonObject): string {
  const format = obj(policy.body_format) ?? {};
  const source = obj(format.text_format_source);
  const body =
    format.json_format !== undefined
      ? `json ${stableStringify(format.json_format)}`
      : str(source?.inline_string) !== undefined
        ? `text ${JSON.stringify(source?.inline_string)}`
        : str(source?.filename) !== undefined
          ? `the file ${source?.filename}`
          : 'an empty body';
  const status = policy.status_code !== undefined ? ` with status ${String(policy.status_code)}` : '';
  return `${body}${status}`;
}

/**
 * A note on the error responses the custom_response filters rewrite for this
 * route (or for a request no route takes): Envoy tries the route's own
 * policies first, then each filter's, and a filter disabled on the route
 * rewrites nothing there.
 */
export function errorResponsesNote(hcm: HcmModel, route?: RouteModel): string | undefined {
  const rewrites = new Map<string, string>();
  const unread: string[] = [];
  for (const filter of hcm.httpFilters) {
    if (str(filter.config?.['@type']) !== customResponseType) continue;
    const perRoute = obj(route?.typedPerFilterConfig?.[filter.name]);
    if (str(perRoute?.['@type']) === filterConfigType && perRoute?.disabled === true) continue;
    const layers = [
      perRoute && str(perRoute['@type']) === customResponseType ? perRoute : undefined,
      filter.config,
    ];
    for (const layer of layers) {
      if (!layer) continue;
      const policies = policiesByStatus(layer);
      if (!policies) {
        unread.push(filter.name);
        continue;
      }
      for (const [status, what] of policies) if (!rewrites.has(status)) rewrites.set(status, what);
    }
  }
  if (rewrites.size === 0 && unread.length === 0) return undefined;
  const listed = [...rewrites.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, what]) => `${status} → ${what}`);
  const tail = unread.length > 0 ? ` (explain cannot read the matcher of ${unread.join(', ')})` : '';
  return `error responses rewritten (custom_response): ${listed.join('; ') || 'none read'}${tail}`;
}
