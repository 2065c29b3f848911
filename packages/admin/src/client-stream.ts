import type { XdsStreamInfo, XdsTypeInfo } from '@attache/core';

/**
 * One connected xDS client as the ADS sink reports it (`/api/streams`): core's contract between
 * the sink, which writes it, and this package. Streams come through `AdminState.streams()` from
 * another package at run time, so `asClientStreams` still checks what it is given.
 */
export type ClientStream = XdsStreamInfo;
export type ClientStreamType = XdsTypeInfo;

/** The short type name of a type URL: 'type.googleapis.com/envoy.config.listener.v3.Listener' → 'Listener'. */
export function shortTypeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

export function asClientStreams(streams: readonly unknown[]): ClientStream[] {
  return streams.filter(
    (s): s is ClientStream => typeof s === 'object' && s !== null && Array.isArray((s as ClientStream).types),
  );
}
