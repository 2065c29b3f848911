/**
 * One connected xDS client as the ADS sink reports it (`/api/streams`). The
 * admin package reads these fields and nothing else; the sink owns the shape
 * (plugins/sink-ads StreamInfo), so every field is read defensively.
 */
export interface ClientStream {
  id: number;
  service: string;
  variant: 'sotw' | 'delta';
  peer: string;
  connectedAt: string;
  node?: { id: string; cluster: string } | undefined;
  group?: string | undefined;
  types: ClientStreamType[];
}

export interface ClientStreamType {
  typeUrl: string;
  subscribed: string[];
  sentVersion?: string;
  ackedVersion?: string;
  /** Delta: how many resources the client holds. */
  resources?: number;
  pending: boolean;
  pushes: number;
  acks: number;
  nacks: number;
  lastNack?: { message: string; resourceNames: string[]; at: string } | undefined;
}

/** The short type name of a type URL: 'type.googleapis.com/envoy.config.listener.v3.Listener' → 'Listener'. */
export function shortTypeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export function asClientStreams(streams: readonly unknown[]): ClientStream[] {
  return streams.filter(
    (s): s is ClientStream => typeof s === 'object' && s !== null && Array.isArray((s as ClientStream).types),
  );
}
