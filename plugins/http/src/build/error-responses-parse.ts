import type { PassContext, ResourceRef } from '@attache/core';
import { formatProblem } from '@attache/envoy-facts';
import type { Static } from '@sinclair/typebox';
import { headerValueProblem } from '../ingest/header-checks.js';
import type { HttpModule } from '../model.js';
import type { ErrorResponseOverride as OverrideSpec } from '../schemas/common.js';
import { errorResponseRouteConfig } from './error-responses.js';

/** One valid error_response_overrides entry: which status to rewrite, and into what. */
export interface ErrorResponseOverride {
  statusCode: number;
  body: { text: string } | { json: Record<string, string> } | { file: string };
  contentType?: string;
}

/** A Mapping's own choice: no overrides at all (bypass), or its own list instead of the Module's. */
export interface MappingErrorResponses {
  bypass: boolean;
  overrides?: ErrorResponseOverride[];
  /** The per-route filter configs that say so on each of its routes (absent: nothing to change). */
  routeConfig?: Record<string, Record<string, unknown>>;
}

type Report = (code: string, path: string, message: string) => void;

/** The entry as an override, or undefined after reporting why it is left out. */
function parseEntry(
  entry: Static<typeof OverrideSpec>,
  path: string,
  report: Report,
): ErrorResponseOverride | undefined {
  const code = entry.on_status_code;
  if (code === undefined || code < 400 || code > 599) {
    report(
      'ERROR_RESPONSE_STATUS_INVALID',
      `${path}/on_status_code`,
      code === undefined
        ? 'on_status_code is missing; set the 4xx or 5xx status code this entry rewrites'
        : `on_status_code ${code} is not a 4xx or 5xx status; only 400 to 599 can be rewritten`,
    );
    return undefined;
  }
  const body = entry.body;
  const formats = body
    ? (['text_format', 'json_format', 'text_format_source'] as const).filter((f) => body[f] !== undefined)
    : [];
  if (!body || formats.length !== 1) {
    report(
      'ERROR_RESPONSE_BODY_INVALID',
      body ? `${path}/body` : path,
      !body
        ? 'body is missing; add body with one of text_format, json_format or text_format_source'
        : formats.length === 0
          ? 'body has none of text_format, json_format or text_format_source; set exactly one'
          : `body sets ${formats.join(' and ')}; keep exactly one of them`,
    );
    return undefined;
  }
  let parsed: ErrorResponseOverride['body'];
  let texts: string[];
  if (body.text_format !== undefined) {
    parsed = { text: body.text_format };
    texts = [body.text_format];
  } else if (body.json_format !== undefined) {
    const json: Record<string, string> = {};
    for (const [key, value] of Object.entries(body.json_format)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        report(
          'ERROR_RESPONSE_BODY_INVALID',
          `${path}/body/json_format/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          `json_format.${key} is not a string, number or boolean; Envoy formats only flat string values`,
        );
        return undefined;
      }
      json[key] = String(value);
    }
    parsed = { json };
    texts = Object.values(json);
  } else {
    parsed = { file: body.text_format_source!.filename };
    texts = [];
  }
  const problems = texts.map(formatProblem).filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    report(
      'ERROR_RESPONSE_FORMAT_INVALID',
      `${path}/body`,
      `body has ${problems.join('; ')}; Envoy would reject the update, so fix the body`,
    );
    return undefined;
  }
  // The content type becomes a response header, whose value Envoy reads as a format too.
  const contentTypeProblem =
    body.content_type === undefined ? undefined : headerValueProblem(body.content_type);
  if (contentTypeProblem) {
    report('HTTP_HEADER_INVALID', `${path}/body/content_type`, `body.content_type ${contentTypeProblem}`);
    return undefined;
  }
  const override: ErrorResponseOverride = { statusCode: code, body: parsed };
  if (body.content_type !== undefined) override.contentType = body.content_type;
  return override;
}

/**
 * The valid entries of an error_response_overrides list, in order, each bad
 * one reported and left out; a later entry for a status code already
 * rewritten is left out too (the first one wins, as in Emissary).
 */
export function parseErrorResponseOverrides(
  ctx: PassContext,
  ref: ResourceRef,
  path: string,
  entries: ReadonlyArray<Static<typeof OverrideSpec>>,
): ErrorResponseOverride[] {
  const report: Report = (code, at, message) =>
    ctx.report({ code, resource: ref, path: at, message: `error_response_overrides: ${message}` });
  const out: ErrorResponseOverride[] = [];
  const seen = new Map<number, number>();
  entries.forEach((entry, i) => {
    const override = parseEntry(entry, `${path}/${i}`, report);
    if (!override) return;
    const first = seen.get(override.statusCode);
    if (first !== undefined) {
      report(
        'ERROR_RESPONSE_STATUS_DUPLICATE',
        `${path}/${i}/on_status_code`,
        `status ${override.statusCode} is already rewritten by entry ${first}, which wins; remove one of them`,
      );
      return;
    }
    seen.set(override.statusCode, i);
    out.push(override);
  });
  return out;
}

/** A Mapping's error response choice (reported problems included), or undefined when the Module's apply. */
export function mappingErrorResponses(
  ctx: PassContext,
  ref: ResourceRef,
  module: HttpModule | undefined,
  spec: {
    bypass_error_response_overrides?: boolean;
    error_response_overrides?: ReadonlyArray<Static<typeof OverrideSpec>>;
  },
): MappingErrorResponses | undefined {
  const path = '/spec/error_response_overrides';
  if (spec.bypass_error_response_overrides) {
    if (spec.error_response_overrides?.length) {
      ctx.report({
        code: 'MAPPING_FIELD_IGNORED',
        resource: ref,
        path,
        message:
          'spec.error_response_overrides is ignored because bypass_error_response_overrides is true (as in Emissary); remove one of them',
      });
    }
    return withRouteConfig({ bypass: true }, module);
  }
  if (!spec.error_response_overrides?.length) return undefined;
  const overrides = parseErrorResponseOverrides(ctx, ref, path, spec.error_response_overrides);
  // With no valid entry left the Mapping has nothing of its own, so the Module's overrides apply.
  return overrides.length > 0 ? withRouteConfig({ bypass: false, overrides }, module) : undefined;
}

function withRouteConfig(
  choice: MappingErrorResponses,
  module: HttpModule | undefined,
): MappingErrorResponses {
  const routeConfig = errorResponseRouteConfig(choice, module);
  if (routeConfig) choice.routeConfig = routeConfig;
  return choice;
}

/** The Module's valid overrides (problems reported), or undefined when it has none. */
export function moduleErrorResponses(
  ctx: PassContext,
  ref: ResourceRef,
  entries: ReadonlyArray<Static<typeof OverrideSpec>> | undefined,
): ErrorResponseOverride[] | undefined {
  if (!entries?.length) return undefined;
  const overrides = parseErrorResponseOverrides(ctx, ref, '/spec/config/error_response_overrides', entries);
  return overrides.length > 0 ? overrides : undefined;
}
