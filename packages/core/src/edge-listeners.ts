import { defineExtPoint } from './ext-point.js';
import type { IRDownstreamTls } from './ir.js';
import type { ResourceRef } from './resource.js';

/**
 * A Listener resource as the plugin that owns Listeners validated it, for the
 * plugins that put non-HTTP traffic on ports (TCPMappings): which port, which
 * protocol layers, and whether the owner builds an HTTP listener there. The
 * owner builds listeners only for stacks with an HTTP layer; the others
 * (`[TCP]`, `[TLS, TCP]`) are left to whoever serves TCP.
 */
export interface EdgeListenerView {
  ref: ResourceRef;
  port: number;
  /** Bind address (Emissary binds every Listener to 0.0.0.0). */
  address: string;
  /** Protocol layers from the outside in, e.g. ['TLS', 'HTTP', 'TCP'] or ['TCP']. */
  protocolStack: readonly string[];
  /** True when the owner builds an HTTP listener for it (the stack has an HTTP layer). */
  http: boolean;
  statsPrefix?: string;
}

export const EdgeListenersExt = defineExtPoint<readonly EdgeListenerView[]>(
  'edge.listeners',
  'every usable Listener resource by port (HTTP or not), written by the http plugin in ingest; Listeners without an HTTP layer are left to TCP plugins',
);

/**
 * A request to terminate TLS for one SNI name outside the HTTP model (a
 * TCPMapping with `host`), answered by the plugin that knows Hosts,
 * TLSContexts and Secrets (`http`) the way Emissary pairs them: a Host with
 * TLS whose hostname matches the name first, then a TLSContext listing the
 * name exactly. Requests are published in `ingest`; grants come back in `resolve`.
 */
export interface TlsTerminationRequest {
  /** Unique: '<plugin>/<namespace>/<name>'. */
  id: string;
  /** The resource that asks; problems are reported on it. */
  ref: ResourceRef;
  /** The SNI name to terminate, e.g. 'db.example.com'. */
  serverName: string;
}

export type TlsTerminationGrant =
  /** Terminate with these settings; `source` is the Host or TLSContext they come from. */
  | { tls: IRDownstreamTls; source: ResourceRef }
  /** Nothing terminates TLS for this name (no Host or TLSContext for it). */
  | { none: true }
  /** A Host or TLSContext names it but its TLS cannot be used (a missing Secret); reported on that resource. */
  | { refused: true; source: ResourceRef };

export const TlsTerminationRequestsExt = defineExtPoint<readonly TlsTerminationRequest[]>(
  'edge.tlsTerminationRequests',
  'SNI names non-HTTP plugins need TLS termination for (TCPMapping host); appended in ingest (replace the array, never push)',
);

export const TlsTerminationGrantsExt = defineExtPoint<Readonly<Record<string, TlsTerminationGrant>>>(
  'edge.tlsTerminationGrants',
  'the TLS termination each TlsTerminationRequest got (by request id), written by the http plugin in resolve',
);

/** Adds requests to the shared list without editing the array another pass published. */
export function requestTlsTerminations(
  ext: Record<string, unknown>,
  requests: readonly TlsTerminationRequest[],
): void {
  const current = (ext[TlsTerminationRequestsExt.key] as readonly TlsTerminationRequest[] | undefined) ?? [];
  ext[TlsTerminationRequestsExt.key] = [...current, ...requests];
}
