import type { DiagnosticCodeTable } from '@attache/core';

/** Every diagnostic the Consul source reports (on the ConsulResolver). */
export const consulDiagnosticCodes = {
  CONSUL_AGENT_UNREACHABLE: {
    severity: 'error',
    summary:
      "The ConsulResolver's agent does not answer (connection refused, timeout, TLS failure); the last known endpoints keep serving and the source reconnects with backoff.",
  },
  CONSUL_QUERY_FAILED: {
    severity: 'error',
    summary:
      'The agent answered a health query with an error (403: the ACL token is missing or lacks service:read; 500: an unknown datacenter); the last known endpoints keep serving.',
  },
  CONSUL_RESULTS_FILTERED: {
    severity: 'warning',
    summary:
      'Consul answered, but hid instances the ACL token may not read (X-Consul-Results-Filtered-By-ACLs); those instances get no traffic.',
  },
  CONSUL_TOKEN_SECRET_MISSING: {
    severity: 'error',
    summary:
      'sources.consul.token.secret names a Secret (or key) that no source has stored; queries go without a token until it appears.',
  },
  CONSUL_INSTANCE_ADDRESS_INVALID: {
    severity: 'warning',
    summary:
      'A Consul instance registered a host name (or nothing) as its address; Envoy takes EDS endpoints as IP addresses only, so that instance is left out.',
  },
} as const satisfies DiagnosticCodeTable;
