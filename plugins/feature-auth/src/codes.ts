import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic feature-auth reports. Tests assert these codes, never message text. */
export const authDiagnosticCodes = {
  AUTH_SCHEMA_INVALID: {
    severity: 'error',
    summary: 'An AuthService field has the wrong type or value; the AuthService is not used.',
  },
  AUTH_FIELD_UNKNOWN: {
    severity: 'warning',
    summary:
      'A field AuthService does not have (often a misspelling; the message names the likely field); it is ignored.',
  },
  AUTH_API_VERSION_UNKNOWN: {
    severity: 'error',
    summary:
      'The AuthService apiVersion is not getambassador.io/v3alpha1, v2 or v1; the AuthService is not used.',
  },
  AUTH_PROTOCOL_VERSION_UNSUPPORTED: {
    severity: 'error',
    summary:
      'A gRPC AuthService without protocol_version v3 (Emissary 3 refuses v2, which is also its default); the AuthService is not used.',
  },
  AUTH_FIELD_IGNORED: {
    severity: 'warning',
    summary:
      'A field without effect for this AuthService (header lists, add_auth_headers, path_prefix with proto grpc; allow_request_body beside include_body; status_on_error with failure_mode_allow); Emissary ignores it silently.',
  },
  AUTH_HEADER_INVALID: {
    severity: 'error',
    summary:
      'An add_auth_headers entry Envoy would refuse (a name that is not an HTTP token, a pseudo-header or Host, a value with CR, LF or another control character); that header is left out, the rest of the AuthService is used.',
  },
  AUTH_SERVICE_CONFLICT: {
    severity: 'error',
    summary:
      'Several global AuthServices disagree on a setting: as in Emissary they share one filter (their services are load-balanced as a canary) and the first by namespace/name sets it; the message names the value used.',
  },
  AUTH_SERVICE_UNKNOWN: {
    severity: 'error',
    summary:
      'A Host or Mapping auth_service names no usable AuthService; its requests are refused by the auth filter rather than silently let through.',
  },
  AUTH_REFERENCE_INVALID: {
    severity: 'error',
    summary:
      'A Host or Mapping auth_service (or bypass_auth, auth_context_extensions) has the wrong type; it is ignored.',
  },
  AUTH_NO_HTTP_MODEL: {
    severity: 'warning',
    summary:
      'An AuthService exists but no plugin built HTTP routes to protect (the http plugin is not loaded).',
  },
} as const satisfies DiagnosticCodeTable;

export type AuthDiagnosticCode = keyof typeof authDiagnosticCodes;
