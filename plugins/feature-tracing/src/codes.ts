import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the tracing plugin reports. Tests assert these codes, never message text. */
export const tracingDiagnosticCodes = {
  TRACING_SCHEMA_INVALID: {
    severity: 'error',
    summary:
      'A TracingService field has the wrong type or value (a sampling percentage outside 0–100, config that is not a map, …); the TracingService is ignored.',
  },
  TRACING_FIELD_UNKNOWN: {
    severity: 'warning',
    summary:
      'A field TracingService (or its config for this driver, or a custom tag) does not have, often a misspelling; it is ignored.',
  },
  TRACING_SERVICE_MISSING: {
    severity: 'error',
    summary: 'A TracingService without `service`: there is no collector to send spans to, so it is ignored.',
  },
  TRACING_DRIVER_UNSUPPORTED: {
    severity: 'error',
    summary:
      'The driver is not zipkin, opentelemetry or datadog. lightstep is gone from Envoy 1.39: send spans to Lightstep through the opentelemetry driver. The TracingService is ignored.',
  },
  TRACING_CUSTOM_TAG_INVALID: {
    severity: 'error',
    summary:
      'A custom tag needs a tag name and exactly one of literal {value}, environment {name} or request_header {name}; that tag is dropped, the rest of the TracingService applies.',
  },
  TRACING_TAG_HEADERS_AS_CUSTOM_TAGS: {
    severity: 'info',
    summary:
      'tag_headers (deprecated) is ignored by Emissary 3; Attaché tags spans with each header as a request_header custom tag named after it. Prefer custom_tags.',
  },
  TRACING_ZIPKIN_V1_DROPPED: {
    severity: 'info',
    summary:
      "collector_endpoint_version HTTP_JSON_V1 is not accepted by Envoy's v3 API; as Emissary does, it is left out and Envoy's default (HTTP_JSON) applies.",
  },
  TRACING_CONFLICT: {
    severity: 'error',
    summary:
      'Only one TracingService per Attaché instance: the first by namespace/name is used and the others are ignored (Emissary then traces nothing at all).',
  },
  TRACING_NO_CLUSTER: {
    severity: 'error',
    summary:
      'No plugin in this distribution resolves services (the http plugin is not loaded), so the TracingService has no collector cluster and is ignored.',
  },
} as const satisfies DiagnosticCodeTable;

export type TracingDiagnosticCode = keyof typeof tracingDiagnosticCodes;
