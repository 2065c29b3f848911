import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the TCP plugin reports. Tests assert these codes, never message text. */
export const tcpDiagnosticCodes = {
  TCPMAPPING_SCHEMA_INVALID: {
    severity: 'error',
    summary: 'A TCPMapping field has the wrong type or value; the TCPMapping is ignored.',
  },
  TCPMAPPING_FIELD_UNKNOWN: {
    severity: 'warning',
    summary: 'A field TCPMapping does not have (often a misspelling); it is ignored.',
  },
  TCPMAPPING_PORT_MISSING: {
    severity: 'error',
    summary: 'A TCPMapping without `port` (1–65535): there is nowhere to listen, so it is ignored.',
  },
  TCPMAPPING_SERVICE_MISSING: {
    severity: 'error',
    summary: 'A TCPMapping without `service`: there is nothing to connect to, so it is ignored.',
  },
  TCPMAPPING_HOST_INVALID: {
    severity: 'error',
    summary:
      'A TCPMapping `host` that is not an SNI name Envoy can match (a DNS name, or "*." and a name); the TCPMapping is ignored.',
  },
  TCPMAPPING_ADDRESS_INVALID: {
    severity: 'error',
    summary: 'A TCPMapping `address` that is not an IPv4 or IPv6 address to bind; the TCPMapping is ignored.',
  },
  TCPMAPPING_GROUP_MISMATCH: {
    severity: 'error',
    summary:
      'TCPMappings on one address, port and host share one filter chain, so they must agree on idle_timeout_ms (as in Emissary); this one disagrees with the first by namespace/name and is ignored.',
  },
  TCPMAPPING_SHARED_WITHOUT_WEIGHTS: {
    severity: 'warning',
    summary:
      'Several TCPMappings claim one address, port and SNI without weights: connections are split evenly between them (as in Emissary). Give each a weight, or give them different ports or hosts, if that is not what you meant.',
  },
  TCPMAPPING_WEIGHTS_INVALID: {
    severity: 'error',
    summary:
      'The weights of TCPMappings sharing one address, port and SNI add up to more than 100 (or all are 0); the group is not served.',
  },
  TCPMAPPING_HTTP_PORT_WITHOUT_HOST: {
    severity: 'error',
    summary:
      'A TCPMapping without `host` on a port an HTTP Listener serves: it would take every connection from the HTTP Hosts (or never get one). Give it a host (SNI) or another port; it is ignored.',
  },
  TCPMAPPING_SNI_CONFLICT: {
    severity: 'warning',
    summary:
      'A TCPMapping and a Host claim the same SNI name on one port; the TCPMapping takes those TLS connections (Emissary gives TCPMappings precedence), so the Host is not reachable there by that name.',
  },
  TCPMAPPING_TLS_PASSTHROUGH: {
    severity: 'info',
    summary:
      'A TCPMapping `host` with no Host or TLSContext to terminate TLS for it: TLS connections with that SNI are passed through unopened to the service, which terminates TLS itself (Emissary drops such a TCPMapping).',
  },
  TCPMAPPING_PASSTHROUGH_ORIGINATES_TLS: {
    severity: 'warning',
    summary:
      'A TCPMapping passes TLS through (nothing terminates its host) and also originates TLS to its service (tls, or https://): the client’s TLS session travels inside a second one. `tls` is TLS to the service (as in Emissary); to terminate the client’s TLS at Envoy, add a TLSContext listing the host.',
  },
  TCPMAPPING_TLS_TERMINATION_REFUSED: {
    severity: 'error',
    summary:
      'The Host or TLSContext that would terminate TLS for this TCPMapping `host` cannot be used (its Secret is missing or invalid; reported there); the TCPMapping is not served rather than passing TLS through unexpectedly.',
  },
  TCPMAPPING_LISTENER_NOT_TLS: {
    severity: 'error',
    summary:
      'A TCPMapping with `host` on a TCP Listener whose protocolStack has no TLS layer: SNI cannot be read there. Use protocol TLS (or drop the host); it is ignored.',
  },
  TCPMAPPING_LISTENER_PORT_CONFLICT: {
    severity: 'error',
    summary:
      'A TCP-only Listener on a port an HTTP Listener already uses; the TCP Listener is ignored and TCPMappings on that port join the HTTP one by SNI.',
  },
  TCPMAPPING_NO_HTTP_MODEL: {
    severity: 'error',
    summary:
      'No plugin resolves services (the http plugin is not loaded), so TCPMappings have no clusters and are not served.',
  },
} as const satisfies DiagnosticCodeTable;

export type TcpDiagnosticCode = keyof typeof tcpDiagnosticCodes;
