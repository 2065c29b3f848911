import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the HTTP plugin reports. Tests assert these codes, never message text. */
export const httpDiagnosticCodes = {
  HTTP_SCHEMA_INVALID: {
    severity: 'error',
    summary: 'A field has the wrong type or value; the resource is ignored.',
  },
  HTTP_API_VERSION_DEPRECATED: {
    severity: 'info',
    summary: 'getambassador.io/v2 resources are converted to v3alpha1; convert the resource when convenient.',
  },
  HTTP_API_VERSION_UNKNOWN: {
    severity: 'error',
    summary:
      'The apiVersion names a getambassador.io version Attaché does not read (it reads v3alpha1, and converts v2 and v1); the resource is ignored.',
  },
  HTTP_FIELD_UNKNOWN: {
    severity: 'warning',
    summary:
      'A field the kind does not have (often a misspelling; the message names the likely field); it is ignored. `attache validate --strict` fails on it.',
  },
  HTTP_STRING_INVALID: {
    severity: 'error',
    summary:
      'A name or value holds NUL, a control character or invalid Unicode (U+FFFD from bytes that were not UTF-8, an unpaired surrogate); the resource is ignored.',
  },
  HTTP_HOSTNAME_NOT_ASCII: {
    severity: 'warning',
    summary:
      'A hostname has non-ASCII characters; clients send the punycode (xn--) form, so it never matches. The message gives the punycode to write.',
  },
  HTTP_REGEX_INVALID: {
    severity: 'error',
    summary: 'A regex is not valid RE2 (Envoy would reject the whole update); the resource is ignored.',
  },
  HTTP_REGEX_TOO_LARGE: {
    severity: 'error',
    summary:
      "A regex's RE2 program is larger than regex_max_size (or escapes a character above U+00FF); Envoy would refuse the whole update, so the resource is ignored.",
  },
  HTTP_HEADER_INVALID: {
    severity: 'error',
    summary:
      'A header name or value that Envoy would refuse or that cannot go on the wire (CR/LF, control characters, a lone "%", pseudo-headers or Host); the resource is ignored.',
  },
  HTTP_NO_LISTENERS: {
    severity: 'warning',
    summary: 'There are Hosts or Mappings but no Listener, so nothing is reachable; add a Listener.',
  },
  HTTP_DEFAULT_HOST: {
    severity: 'info',
    summary: 'No Host is defined; a catch-all Host "*" was synthesized (as Emissary does).',
  },
  MAPPING_PREFIX_MISSING: { severity: 'error', summary: 'A Mapping needs spec.prefix; it is ignored.' },
  MAPPING_SERVICE_MISSING: { severity: 'error', summary: 'A Mapping needs spec.service; it is ignored.' },
  MAPPING_SERVICE_INVALID: {
    severity: 'error',
    summary:
      'spec.service is not [scheme://]name[.namespace][:port] with a port in 1-65535; the Mapping is ignored.',
  },
  MAPPING_CONFLICT: {
    severity: 'error',
    summary:
      'Two Mappings have identical match criteria and no weights; the later one (by namespace/name) is ignored.',
  },
  MAPPING_WEIGHT_OVERFLOW: {
    severity: 'error',
    summary: 'The weights of Mappings sharing one match add up to more than 100; the Mapping is ignored.',
  },
  MAPPING_HOSTNAME_INVALID: {
    severity: 'error',
    summary:
      'hostname is not a valid glob (one "*" at the start or the end, or "*" alone); the Mapping is ignored.',
  },
  MAPPING_HOST_AND_HOSTNAME: {
    severity: 'warning',
    summary: 'Both host and hostname are set; hostname wins.',
  },
  MAPPING_HOST_DEPRECATED: { severity: 'info', summary: 'host/host_regex are deprecated; use hostname.' },
  MAPPING_NO_HOST: {
    severity: 'warning',
    summary:
      'The Mapping attaches to no Host (no hostname and no Host mappingSelector matches its labels), so it routes nothing.',
  },
  MAPPING_RESOLVER_UNKNOWN: {
    severity: 'error',
    summary:
      "spec.resolver (or the Module's resolver) names no resolver; the Mapping's route answers 503 until the resolver exists.",
  },
  MAPPING_NO_ENDPOINTS: {
    severity: 'warning',
    summary:
      'The Mapping resolves through endpoints (KubernetesEndpointResolver, ConsulResolver) and its service has none ready or passing; its route answers 503 until one appears.',
  },
  SERVICE_INVALID: {
    severity: 'error',
    summary:
      "A feature resource's service (AuthService auth_service, RateLimitService service) is not host[:port] with an optional http:// or https://; the feature resource is not used.",
  },
  SERVICE_TLS_CONTEXT_UNKNOWN: {
    severity: 'error',
    summary:
      "A feature resource's tls names no TLSContext; the feature resource is not used rather than silently speaking cleartext.",
  },
  SERVICE_RESOLVER_UNKNOWN: {
    severity: 'error',
    summary:
      "A feature resource's resolver (TCPMapping resolver) names no resolver; the resource is not used.",
  },
  MAPPING_TLS_CONTEXT_UNKNOWN: {
    severity: 'error',
    summary:
      'spec.tls names no TLSContext; the Mapping is ignored instead of silently falling back to cleartext.',
  },
  MAPPING_REWRITE_OVERRIDDEN: {
    severity: 'info',
    summary:
      'Two rewrites of one thing are set (rewrite and regex_rewrite: regex_rewrite wins; host_rewrite and auto_host_rewrite: host_rewrite wins).',
  },
  MAPPING_REDIRECT_CONFLICT: {
    severity: 'error',
    summary:
      'More than one of path_redirect, prefix_redirect and regex_redirect is set (Emissary posts the same error); the first of them in that order is used, the others ignored.',
  },
  MAPPING_PREFIX_TOO_LONG: {
    severity: 'error',
    summary:
      'The prefix is longer than the request headers Envoy accepts (Module max_request_headers_kb, default 60 KiB), so no request can match it; the Mapping is ignored.',
  },
  MAPPING_HASH_KEY_MISSING: {
    severity: 'error',
    summary:
      'load_balancer ring_hash/maglev needs exactly one of cookie, header or source_ip; the Mapping is ignored.',
  },
  MAPPING_FIELD_IGNORED: {
    severity: 'warning',
    summary: 'A Mapping field is accepted for compatibility but has no effect.',
  },
  ERROR_RESPONSE_STATUS_INVALID: {
    severity: 'error',
    summary:
      'An error_response_overrides entry has no on_status_code or one outside 400-599; the entry is left out, the rest applies.',
  },
  ERROR_RESPONSE_BODY_INVALID: {
    severity: 'error',
    summary:
      'An error_response_overrides entry needs a body with exactly one of text_format, json_format (flat values) or text_format_source; the entry is left out.',
  },
  ERROR_RESPONSE_FORMAT_INVALID: {
    severity: 'error',
    summary:
      'An error_response_overrides body uses a %OPERATOR% Envoy does not know, or a "%" that starts none (write %% for a percent sign); Envoy would reject the update, so the entry is left out.',
  },
  ERROR_RESPONSE_STATUS_DUPLICATE: {
    severity: 'warning',
    summary:
      'Two error_response_overrides entries rewrite the same status code; the first wins, the later one is left out.',
  },
  MAPPING_SERVICE_PORT_UNKNOWN: {
    severity: 'warning',
    summary:
      'The endpoint resolver found the Service but not the port the Mapping needs; the cluster has no endpoints.',
  },
  HOST_HOSTNAME_INVALID: {
    severity: 'error',
    summary: 'Host hostname is not a valid glob (one "*" at the start or the end); the Host is ignored.',
  },
  HOST_HOSTNAME_DUPLICATE: {
    severity: 'error',
    summary: 'Another Host (earlier by namespace/name) has the same hostname; this Host is ignored.',
  },
  HOST_SECRET_MISSING: {
    severity: 'error',
    summary:
      'The Host TLS Secret does not exist or is not a TLS Secret; the Host is ignored (Emissary only logs this).',
  },
  HOST_TLS_CONTEXT_UNKNOWN: {
    severity: 'error',
    summary: 'Host tlsContext names no TLSContext; the Host is ignored.',
  },
  HOST_TLS_AMBIGUOUS: {
    severity: 'error',
    summary:
      'Host spec.tls and spec.tlsContext are both set; choose one. The Host is ignored (as in Emissary).',
  },
  HOST_TLS_CONTEXT_MISMATCH: {
    severity: 'error',
    summary: 'The Host tlsSecret and its TLSContext secret differ; the Host is ignored.',
  },
  HOST_TLS_PREFIX_GLOB: {
    severity: 'warning',
    summary:
      'TLS cannot be terminated for a "name.*" hostname: SNI matching has only leading wildcards; the Host is served on cleartext chains only.',
  },
  HOST_TLS_SNI_CONFLICT: {
    severity: 'warning',
    summary:
      'Two Hosts need the same SNI (hostnames equal but for the port) with different TLS settings; the later one gets no TLS chain.',
  },
  HOST_SELECTOR_MATCHES_NOTHING: { severity: 'warning', summary: 'Host mappingSelector matches no Mapping.' },
  HOST_UNBOUND: { severity: 'warning', summary: 'No Listener binds this Host, so its routes exist nowhere.' },
  LISTENER_PORT_DUPLICATE: {
    severity: 'error',
    summary: 'Another Listener (earlier by namespace/name) uses this port; this Listener is ignored.',
  },
  LISTENER_NO_HOSTS: {
    severity: 'warning',
    summary: 'The Listener binds no Host; no Envoy listener is generated.',
  },
  LISTENER_PROTOCOL_MISSING: {
    severity: 'error',
    summary: 'A Listener needs protocol or protocolStack; it is ignored.',
  },
  LISTENER_PROTOCOL_BOTH: {
    severity: 'warning',
    summary: 'protocol and protocolStack are both set; protocolStack wins.',
  },
  LISTENER_PROTOCOL_STACK_INVALID: {
    severity: 'error',
    summary: 'protocolStack must end in TCP or UDP and use each layer once; the Listener is ignored.',
  },
  LISTENER_NOT_HTTP: {
    severity: 'info',
    summary: 'The Listener has no HTTP layer; the HTTP plugin leaves it to the TCP plugin.',
  },
  LISTENER_SELECTOR_MISSING: {
    severity: 'warning',
    summary:
      'hostBinding.namespace.from SELECTOR needs hostBinding.selector; the Listener binds its own namespace (as Emissary does).',
  },
  LISTENER_SELECTOR_MATCHES_NOTHING: {
    severity: 'warning',
    summary: 'hostBinding.selector matches no Host.',
  },
  TLSCONTEXT_SECRET_MISSING: {
    severity: 'error',
    summary:
      'The TLSContext secret or ca_secret does not exist or has no certificate; the TLSContext is ignored.',
  },
  TLSCONTEXT_SNI_ON_TERMINATION: {
    severity: 'warning',
    summary:
      'sni only applies when originating TLS; it is ignored on a context that terminates TLS for a Host.',
  },
  TLSCONTEXT_CERT_REQUIRED_NO_CA: {
    severity: 'error',
    summary: 'cert_required needs ca_secret to verify client certificates; the TLSContext is ignored.',
  },
  TLSCONTEXT_NO_HOSTS_DEFINED: {
    severity: 'warning',
    summary:
      'No Host is defined, so TLSContexts with hosts terminate nothing (as in Emissary); define a Host.',
  },
  TLSCONTEXT_FIELD_IGNORED: {
    severity: 'info',
    summary: 'A TLSContext field is accepted for compatibility but has no effect.',
  },
  SECRET_INVALID: {
    severity: 'error',
    summary:
      'The Secret is referenced for TLS but Envoy could not load it: tls.crt/tls.key/ca.crt (in data or stringData) missing, not PEM, not a parseable certificate or key, a key kind Envoy does not load (RSA under 2048 bits, EC other than P-256/384/521), or a key that does not match its certificate; it is not sent to Envoy.',
  },
  MODULE_LUA_INVALID: {
    severity: 'error',
    summary:
      "The Module's lua_scripts is not Lua Envoy's LuaJIT can load (Envoy would refuse every listener); the Lua filter is left out and the rest of the Module applies.",
  },
  SECRET_CERT_EXPIRING: {
    severity: 'warning',
    summary: 'A TLS certificate has expired or expires within 30 days; renew it.',
  },
  MODULE_KEY_NO_EFFECT: {
    severity: 'warning',
    summary: 'An ambassador Module key has no effect; the message names the replacement.',
  },
  MODULE_IP_INVALID: {
    severity: 'error',
    summary:
      'An ip_allow/ip_deny entry is not one {peer: CIDR} or {remote: CIDR}; it is left out (an ip_allow with no valid entry refuses everyone).',
  },
  MODULE_IP_ALLOW_AND_DENY: {
    severity: 'error',
    summary: 'ip_allow and ip_deny may not both be set (as in Emissary); ip_allow is used, ip_deny ignored.',
  },
  MODULE_LOG_FORMAT_INVALID: {
    severity: 'error',
    summary:
      "envoy_log_format does not fit envoy_log_type (text takes a string, json a map); Emissary's default format is used.",
  },
  MODULE_DUPLICATE: {
    severity: 'warning',
    summary:
      'Two Modules named "ambassador" (in different namespaces); the first by namespace/name is used, this one is ignored.',
  },
  MODULE_NAME_UNKNOWN: {
    severity: 'warning',
    summary: 'Only the Module named "ambassador" is read; this one is ignored.',
  },
  HOST_ACME_NOT_RUN: {
    severity: 'warning',
    summary:
      'Attaché runs no ACME client (as Emissary OSS); issue the certificate with cert-manager and name its Secret in tlsSecret.',
  },
} as const satisfies DiagnosticCodeTable;

export type HttpDiagnosticCode = keyof typeof httpDiagnosticCodes;
