/**
 * What an xDS sink reports of each connected client (the ADS sink's `streams()`), and what the
 * admin server shows under /api/streams and in the diagnostics UI. The sink writes these objects
 * and the admin package reads them: the contract lives here so neither restates the other's.
 */

/** The last rejection a client sent for one type on its stream. */
export interface XdsNackRecord {
  message: string;
  resourceNames: string[];
  at: string;
}

/** Per-type state of a stream. */
export interface XdsTypeInfo {
  typeUrl: string;
  /** '*' for wildcard, then the names asked for. */
  subscribed: readonly string[];
  /** SotW: version_info last sent / acknowledged. */
  sentVersion?: string;
  ackedVersion?: string;
  /** Delta: how many resources the client holds. */
  resources?: number;
  pending: boolean;
  pushes: number;
  acks: number;
  nacks: number;
  lastNack?: XdsNackRecord | undefined;
}

/** One connected stream. */
export interface XdsStreamInfo {
  id: number;
  service: string;
  variant: 'sotw' | 'delta';
  peer: string;
  connectedAt: string;
  node?: { id: string; cluster: string } | undefined;
  group?: string | undefined;
  types: XdsTypeInfo[];
}
