import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the rate-limit plugin reports. Tests assert these codes, never message text. */
export const ratelimitDiagnosticCodes = {
  RATELIMIT_SCHEMA_INVALID: {
    severity: 'error',
    summary:
      'A RateLimitService field has the wrong type or value; the RateLimitService is ignored (no global rate limiting).',
  },
  RATELIMIT_FIELD_UNKNOWN: {
    severity: 'warning',
    summary: 'A field RateLimitService or a label action does not have (often a misspelling); it is ignored.',
  },
  RATELIMIT_SERVICE_MISSING: {
    severity: 'error',
    summary: 'A RateLimitService without `service`: there is nothing to ask, so it is ignored.',
  },
  RATELIMIT_PROTOCOL_UNSUPPORTED: {
    severity: 'error',
    summary:
      'protocol_version is v2 or missing (Emissary defaults it to v2); Envoy speaks only v3 to a rate-limit service, so the RateLimitService is ignored. Set protocol_version: v3.',
  },
  RATELIMIT_DOMAIN_DEFAULTED: {
    severity: 'warning',
    summary:
      "A RateLimitService without `domain` uses the Module's default_label_domain ('ambassador' unless set), as Emissary does; the service's configuration must use that domain.",
  },
  RATELIMIT_SERVICE_CONFLICT: {
    severity: 'error',
    summary:
      'Only one RateLimitService per Attaché instance: the first by namespace/name is used and the others are ignored.',
  },
  RATELIMIT_LABELS_INVALID: {
    severity: 'error',
    summary:
      'Mapping labels (or Module default_labels) are not shaped as domain → list of one-key label groups → list of actions; the malformed label group is dropped, the rest of the Mapping still applies.',
  },
  RATELIMIT_LABEL_ACTION_UNKNOWN: {
    severity: 'error',
    summary:
      'A label action that is not source_cluster, destination_cluster, remote_address, request_headers or generic_key; its label group is dropped.',
  },
  RATELIMIT_LABEL_HEADER_INVALID: {
    severity: 'error',
    summary:
      'A request_headers label names a header no request can carry (not an HTTP token, an unknown pseudo-header, or empty); its label group would never be sent, so it is dropped.',
  },
  RATELIMIT_LABEL_KEY_FIXED: {
    severity: 'warning',
    summary:
      'source_cluster, destination_cluster and remote_address always send their own key (e.g. remote_address=<client IP>); another `key` is ignored.',
  },
  RATELIMIT_OMIT_IF_NOT_PRESENT_NO_EFFECT: {
    severity: 'info',
    summary:
      'omit_if_not_present has no effect, as in Emissary: a request without the header sends no descriptor for the whole label group. skip_if_absent: true sends the group without that entry instead.',
  },
  RATELIMIT_LABELS_WITHOUT_SERVICE: {
    severity: 'warning',
    summary: 'The Mapping has labels but no usable RateLimitService exists, so no rate limit applies to it.',
  },
  RATELIMIT_LABEL_DOMAIN_UNUSED: {
    severity: 'info',
    summary:
      "Labels of a domain other than the RateLimitService's are not sent (Envoy's filter has one domain), as in Emissary.",
  },
  RATELIMIT_LOCAL_INVALID: {
    severity: 'error',
    summary:
      'local_rate_limit on a Mapping or Host has a wrong value (a token bucket needs max_tokens ≥ 1, fill_interval_ms ≥ 50, a 4xx/5xx status Envoy knows); no local rate limit is applied there.',
  },
} as const satisfies DiagnosticCodeTable;

export type RatelimitDiagnosticCode = keyof typeof ratelimitDiagnosticCodes;
