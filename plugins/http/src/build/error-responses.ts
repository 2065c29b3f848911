import { type IRHttpFilter, type IRRoute, mergeProvenance, type PassContext } from '@attache/core';
import { ExtKey, type HttpMapping, type HttpModule } from '../model.js';
import type { ErrorResponseOverride, MappingErrorResponses } from './error-responses-parse.js';

/**
 * error_response_overrides on upstream Envoy: the custom_response filter,
 * whose LocalResponsePolicy replaces the body of a matching response, be it
 * the upstream's or one Envoy made itself (HCM local_reply_config would only
 * reach the latter; Emissary's overrides rewrite both).
 *
 * custom_response falls back from a route's policies to the filter's own
 * when the route's match nothing, while a Mapping's list *replaces* the
 * Module's in Emissary. So there are two instances: the Module's list in
 * `moduleFilterName`, and `mappingFilterName` with no list of its own,
 * which acts only on routes that give it one. A Mapping with its own list
 * (or bypass) turns the Module's instance off on its routes.
 */
export const moduleFilterName = 'envoy.filters.http.custom_response';
export const mappingFilterName = 'envoy.filters.http.custom_response.mapping';

const customResponseType =
  'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse';
const localResponseType =
  'type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy';

/** The LocalResponsePolicy for one entry: keeps the status, replaces the body (and its content type). */
function localResponse(override: ErrorResponseOverride): Record<string, unknown> {
  const b = override.body;
  const policy: Record<string, unknown> = {
    '@type': localResponseType,
    body_format:
      'text' in b
        ? { text_format_source: { inline_string: b.text } }
        : 'json' in b
          ? { json_format: b.json }
          : { text_format_source: { filename: b.file } },
  };
  // The policy sends a local reply, which is text/plain unless a header says otherwise.
  const contentType = override.contentType ?? ('json' in b ? 'application/json' : undefined);
  if (contentType !== undefined) {
    policy.response_headers_to_add = [
      { header: { key: 'content-type', value: contentType }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ];
  }
  return policy;
}

/** A CustomResponse whose matcher picks the entry by the response's status code. */
export function customResponse(overrides: readonly ErrorResponseOverride[]): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  const sorted = [...overrides].sort((a, b) => a.statusCode - b.statusCode);
  for (const o of sorted) {
    map[String(o.statusCode)] = {
      action: { name: `status-${o.statusCode}`, typed_config: localResponse(o) },
    };
  }
  return {
    '@type': customResponseType,
    custom_response_matcher: {
      matcher_tree: {
        input: {
          name: 'status-code',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput',
          },
        },
        exact_match_map: { map },
      },
    },
  };
}

const filtersByMappings = new WeakMap<readonly HttpMapping[], IRHttpFilter[]>();

/**
 * The custom_response filters every HTTP connection manager carries: the
 * Module's instance when the Module has overrides, the Mappings' instance
 * when some Mapping has its own; none at all otherwise.
 */
export function errorResponseFilters(ctx: PassContext, module: HttpModule): IRHttpFilter[] {
  const mappings = (ctx.ir.ext[ExtKey.mappings] as HttpMapping[] | undefined) ?? [];
  const known = filtersByMappings.get(mappings);
  if (known) return known;
  const filters: IRHttpFilter[] = [];
  if (module.errorResponses) {
    filters.push({
      slot: 'custom_response',
      name: moduleFilterName,
      typedConfig: customResponse(module.errorResponses),
      provenance: module.ref ? [module.ref] : [],
    });
  }
  const withOwn = mappings.filter((m) => m.errorResponses?.overrides && !m.errorResponses.bypass);
  if (withOwn.length > 0) {
    filters.push({
      slot: 'custom_response',
      name: mappingFilterName,
      // No matcher: it passes everything through except on routes that give it their own.
      typedConfig: { '@type': customResponseType },
      provenance: mergeProvenance(withOwn.map((m) => m.ref)),
      order: 1,
    });
  }
  filtersByMappings.set(mappings, filters);
  return filters;
}

const disabled = { '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', disabled: true };

/** Per-route configs for a Mapping's routes: the Module's overrides off, its own (if any) on. */
export function errorResponseRouteConfig(
  choice: MappingErrorResponses,
  module: HttpModule | undefined,
): Record<string, Record<string, unknown>> | undefined {
  const out: Record<string, Record<string, unknown>> = {};
  if (module?.errorResponses) out[moduleFilterName] = disabled;
  if (!choice.bypass && choice.overrides) out[mappingFilterName] = customResponse(choice.overrides);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Adds the Mapping's error response configs to a route built from it (the route builder's hook). */
export function withErrorResponses(route: IRRoute, mapping: HttpMapping): void {
  const config = mapping.errorResponses?.routeConfig;
  if (config) route.typedPerFilterConfig = { ...route.typedPerFilterConfig, ...config };
}
