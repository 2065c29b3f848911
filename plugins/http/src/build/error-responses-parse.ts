import type { PassContext, ResourceRef } from '@attache/core';
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

/**
 * Envoy's format command operators a body may use. Envoy rejects an unknown
 * one (or a stray "%"), and with it the whole listener or route update, so
 * such an entry is left out here instead (Emissary checked a list like this).
 */
const knownOperators = new Set([
  'START_TIME',
  'REQUEST_HEADERS_BYTES',
  'BYTES_RECEIVED',
  'PROTOCOL',
  'UPSTREAM_PROTOCOL',
  'RESPONSE_CODE',
  'RESPONSE_CODE_DETAILS',
  'CONNECTION_TERMINATION_DETAILS',
  'RESPONSE_HEADERS_BYTES',
  'RESPONSE_TRAILERS_BYTES',
  'BYTES_SENT',
  'UPSTREAM_WIRE_BYTES_SENT',
  'UPSTREAM_WIRE_BYTES_RECEIVED',
  'UPSTREAM_HEADER_BYTES_SENT',
  'UPSTREAM_HEADER_BYTES_RECEIVED',
  'DOWNSTREAM_WIRE_BYTES_SENT',
  'DOWNSTREAM_WIRE_BYTES_RECEIVED',
  'DOWNSTREAM_HEADER_BYTES_SENT',
  'DOWNSTREAM_HEADER_BYTES_RECEIVED',
  'DURATION',
  'REQUEST_DURATION',
  'REQUEST_TX_DURATION',
  'RESPONSE_DURATION',
  'RESPONSE_TX_DURATION',
  'RESPONSE_FLAGS',
  'RESPONSE_FLAGS_LONG',
  'ROUTE_NAME',
  'VIRTUAL_CLUSTER_NAME',
  'UPSTREAM_HOST',
  'UPSTREAM_CLUSTER',
  'UPSTREAM_LOCAL_ADDRESS',
  'UPSTREAM_REMOTE_ADDRESS',
  'UPSTREAM_TRANSPORT_FAILURE_REASON',
  'UPSTREAM_LOCAL_PORT',
  'UPSTREAM_REMOTE_PORT',
  'UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT',
  'UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
  'UPSTREAM_CONNECTION_ID',
  'DOWNSTREAM_TRANSPORT_FAILURE_REASON',
  'UPSTREAM_LOCAL_URI_SAN',
  'UPSTREAM_PEER_URI_SAN',
  'UPSTREAM_PEER_DNS_SAN',
  'UPSTREAM_LOCAL_SUBJECT',
  'UPSTREAM_PEER_SUBJECT',
  'UPSTREAM_PEER_ISSUER',
  'UPSTREAM_TLS_SESSION_ID',
  'UPSTREAM_TLS_CIPHER',
  'UPSTREAM_TLS_VERSION',
  'UPSTREAM_PEER_CERT',
  'UPSTREAM_PEER_CERT_V_START',
  'UPSTREAM_PEER_CERT_V_END',
  'DOWNSTREAM_LOCAL_DNS_SAN',
  'DOWNSTREAM_PEER_DNS_SAN',
  'DOWNSTREAM_LOCAL_IP_SAN',
  'DOWNSTREAM_PEER_IP_SAN',
  'UPSTREAM_REQUEST_ATTEMPT_COUNT',
  'DOWNSTREAM_REMOTE_ADDRESS',
  'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
  'DOWNSTREAM_REMOTE_PORT',
  'DOWNSTREAM_DIRECT_REMOTE_ADDRESS',
  'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT',
  'DOWNSTREAM_LOCAL_ADDRESS',
  'DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT',
  'DOWNSTREAM_LOCAL_PORT',
  'CONNECTION_ID',
  'STREAM_ID',
  'GRPC_STATUS',
  'GRPC_STATUS_NUMBER',
  'REQ',
  'RESP',
  'TRAILER',
  'DYNAMIC_METADATA',
  'CLUSTER_METADATA',
  'UPSTREAM_METADATA',
  'FILTER_STATE',
  'UPSTREAM_FILTER_STATE',
  'REQUESTED_SERVER_NAME',
  'DOWNSTREAM_LOCAL_URI_SAN',
  'DOWNSTREAM_PEER_URI_SAN',
  'DOWNSTREAM_LOCAL_SUBJECT',
  'DOWNSTREAM_PEER_SUBJECT',
  'DOWNSTREAM_PEER_ISSUER',
  'DOWNSTREAM_TLS_SESSION_ID',
  'DOWNSTREAM_TLS_CIPHER',
  'DOWNSTREAM_TLS_VERSION',
  'DOWNSTREAM_PEER_FINGERPRINT_256',
  'DOWNSTREAM_PEER_FINGERPRINT_1',
  'DOWNSTREAM_PEER_SERIAL',
  'DOWNSTREAM_PEER_CERT',
  'DOWNSTREAM_PEER_CERT_V_START',
  'DOWNSTREAM_PEER_CERT_V_END',
  'HOSTNAME',
  'LOCAL_REPLY_BODY',
  'FILTER_CHAIN_NAME',
  'TRACE_ID',
  'UNIQUE_ID',
  'ENVIRONMENT',
]);

const commandAt = /^%([A-Z0-9_]+)(\([^)]*\))?(:[0-9]+)?%/;

/**
 * What Envoy's format parser would refuse in this text: an operator it does
 * not know, or a "%" that starts no operator ("%%" is a literal percent sign).
 */
function formatProblems(text: string): string[] {
  const problems: string[] = [];
  for (let pos = text.indexOf('%'); pos !== -1; pos = text.indexOf('%', pos)) {
    if (text[pos + 1] === '%') {
      pos += 2;
      continue;
    }
    const command = commandAt.exec(text.slice(pos));
    if (!command) {
      problems.push(`a "%" at position ${pos} that starts no operator (write "%%" for a percent sign)`);
      break;
    }
    const name = command[1]!;
    if (!knownOperators.has(name)) problems.push(`%${name}%, which is not an Envoy format operator`);
    pos += command[0].length;
  }
  return problems;
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
  const problems = texts.flatMap(formatProblems);
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
