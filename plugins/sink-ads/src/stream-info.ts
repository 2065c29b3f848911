import type { NackRecord } from './xds-stream.js';

/** Per-type state of a stream, as the admin UI shows it. */
export interface TypeInfo {
  typeUrl: string;
  /** '*' for wildcard, then the names asked for. */
  subscribed: readonly string[];
  /** SotW: version_info last sent / acknowledged. Delta: count of resources the client holds. */
  sentVersion?: string;
  ackedVersion?: string;
  resources?: number;
  pending: boolean;
  pushes: number;
  acks: number;
  nacks: number;
  lastNack: NackRecord | undefined;
}

/** One connected stream, as `server.streams()` reports it. */
export interface StreamInfo {
  id: number;
  service: string;
  variant: 'sotw' | 'delta';
  peer: string;
  connectedAt: string;
  node: { id: string; cluster: string } | undefined;
  group: string | undefined;
  types: TypeInfo[];
}
