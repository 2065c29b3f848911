import type { XdsStreamInfo, XdsTypeInfo } from '@attache/core';

/** Per-type state of a stream, as the admin UI shows it (core's contract with the admin package). */
export type TypeInfo = XdsTypeInfo;

/** One connected stream, as `server.streams()` reports it. */
export type StreamInfo = XdsStreamInfo;
