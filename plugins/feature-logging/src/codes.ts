import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the logging plugin reports. Tests assert these codes, never message text. */
export const loggingDiagnosticCodes = {
  LOGSERVICE_SCHEMA_INVALID: {
    severity: 'error',
    summary:
      'A LogService field has the wrong type or value (driver not tcp/http, a flush interval out of range, …); the LogService is ignored.',
  },
  LOGSERVICE_FIELD_UNKNOWN: {
    severity: 'warning',
    summary:
      'A field LogService (or one of its additional_log_headers) does not have, often a misspelling; it is ignored.',
  },
  LOGSERVICE_SERVICE_MISSING: {
    severity: 'error',
    summary: 'A LogService without `service`: there is nowhere to send the log, so it is ignored.',
  },
  LOGSERVICE_PROTOCOL_UNSUPPORTED: {
    severity: 'error',
    summary:
      'protocol_version is v2 or missing (Emissary defaults it to v2); Envoy speaks only v3 to an access log service, so the LogService is ignored, as in Emissary. Set protocol_version: v3.',
  },
  LOGSERVICE_HEADERS_NEED_HTTP_DRIVER: {
    severity: 'error',
    summary:
      'additional_log_headers with driver tcp: the TCP access log has no headers, so the LogService is ignored, as in Emissary. Use driver: http, or drop the headers.',
  },
  LOGSERVICE_HEADER_INVALID: {
    severity: 'error',
    summary:
      'An additional_log_headers entry names no header a request can carry (empty, not an HTTP token, an unknown pseudo-header); that entry is dropped, the rest of the LogService applies.',
  },
  LOGSERVICE_CONFLICT: {
    severity: 'error',
    summary:
      'Only one LogService per Attaché instance (as in Emissary, which keeps the first): the first by namespace/name is used and the others are ignored.',
  },
  LOGSERVICE_NO_CLUSTER: {
    severity: 'error',
    summary:
      'No plugin in this distribution resolves services (the http plugin is not loaded), so the LogService has no cluster and is ignored.',
  },
  LOGSERVICE_NOT_GRPC: {
    severity: 'warning',
    summary:
      'grpc is not true: Emissary then gives the log cluster no HTTP/2, and Envoy cannot speak gRPC over HTTP/1.1, so no entry would arrive. Attaché speaks HTTP/2 to the service anyway; set grpc: true to say so.',
  },
} as const satisfies DiagnosticCodeTable;

export type LoggingDiagnosticCode = keyof typeof loggingDiagnosticCodes;
