/**
 * Envoy's substitution-format commands (`%NAME%`, `%NAME(args)%`,
 * `%NAME(args):length%`), as Envoy 1.39.3 parses them in header values,
 * access logs and local-reply bodies. Envoy refuses a whole listener or route
 * update that names a command it does not know ("Not supported field in
 * StreamInfo"), passes parameters to one that takes none, or leaves out the
 * parameters of one that needs them.
 *
 * The table was measured on the Envoy binary itself, not copied from docs:
 * every upper-case word of its string table that looks like a command was
 * fed to `envoy --mode validate` as a header value, with and without
 * parameters. The http plugin reports the mistake on the user's field
 * (formatProblem) and the validator refuses it (formatStringProblem): one table.
 */
export const envoyFormatCommands: Readonly<Record<string, 'none' | 'optional' | 'required'>> = {
  // No parameters: %NAME%
  ACCESS_LOG_TYPE: 'none',
  BYTES_RECEIVED: 'none',
  BYTES_RETRANSMITTED: 'none',
  BYTES_SENT: 'none',
  CONNECTION_ID: 'none',
  CONNECTION_TERMINATION_DETAILS: 'none',
  CUSTOM_FLAGS: 'none',
  DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED: 'none',
  DOWNSTREAM_DECOMPRESSED_HEADER_BYTES_SENT: 'none',
  DOWNSTREAM_DETECTED_CLOSE_TYPE: 'none',
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS: 'none',
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS_ENDPOINT_ID: 'none',
  DOWNSTREAM_DIRECT_LOCAL_PORT: 'none',
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: 'none',
  DOWNSTREAM_DIRECT_REMOTE_PORT: 'none',
  DOWNSTREAM_HANDSHAKE_DURATION: 'none',
  DOWNSTREAM_HEADER_BYTES_RECEIVED: 'none',
  DOWNSTREAM_HEADER_BYTES_SENT: 'none',
  DOWNSTREAM_LOCAL_ADDRESS: 'none',
  DOWNSTREAM_LOCAL_ADDRESS_ENDPOINT_ID: 'none',
  DOWNSTREAM_LOCAL_CLOSE_REASON: 'none',
  DOWNSTREAM_LOCAL_DNS_SAN: 'none',
  DOWNSTREAM_LOCAL_EMAIL_SAN: 'none',
  DOWNSTREAM_LOCAL_IP_SAN: 'none',
  DOWNSTREAM_LOCAL_OTHERNAME_SAN: 'none',
  DOWNSTREAM_LOCAL_PORT: 'none',
  DOWNSTREAM_LOCAL_SUBJECT: 'none',
  DOWNSTREAM_LOCAL_URI_SAN: 'none',
  DOWNSTREAM_PEER_CERT: 'none',
  DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_1: 'none',
  DOWNSTREAM_PEER_CHAIN_FINGERPRINTS_256: 'none',
  DOWNSTREAM_PEER_CHAIN_SERIALS: 'none',
  DOWNSTREAM_PEER_DNS_SAN: 'none',
  DOWNSTREAM_PEER_EMAIL_SAN: 'none',
  DOWNSTREAM_PEER_FINGERPRINT_1: 'none',
  DOWNSTREAM_PEER_FINGERPRINT_256: 'none',
  DOWNSTREAM_PEER_IP_SAN: 'none',
  DOWNSTREAM_PEER_ISSUER: 'none',
  DOWNSTREAM_PEER_ISSUER_FINGERPRINT_256: 'none',
  DOWNSTREAM_PEER_ISSUER_SERIAL: 'none',
  DOWNSTREAM_PEER_OTHERNAME_SAN: 'none',
  DOWNSTREAM_PEER_SERIAL: 'none',
  DOWNSTREAM_PEER_SUBJECT: 'none',
  DOWNSTREAM_PEER_URI_SAN: 'none',
  DOWNSTREAM_REMOTE_ADDRESS: 'none',
  DOWNSTREAM_REMOTE_PORT: 'none',
  DOWNSTREAM_TLS_CIPHER: 'none',
  DOWNSTREAM_TLS_GROUP: 'none',
  DOWNSTREAM_TLS_SESSION_ID: 'none',
  DOWNSTREAM_TLS_VERSION: 'none',
  DOWNSTREAM_TRANSPORT_FAILURE_REASON: 'none',
  DOWNSTREAM_WIRE_BYTES_RECEIVED: 'none',
  DOWNSTREAM_WIRE_BYTES_SENT: 'none',
  DURATION: 'none',
  FILTER_CHAIN_NAME: 'none',
  GRPC_STATUS: 'none',
  GRPC_STATUS_NUMBER: 'none',
  HOSTNAME: 'none',
  LOCAL_REPLY_BODY: 'none',
  PACKETS_RETRANSMITTED: 'none',
  PATH: 'none',
  PROTOCOL: 'none',
  QUERY_PARAMS: 'none',
  REQUESTED_SERVER_NAME: 'none',
  REQUEST_DURATION: 'none',
  REQUEST_HEADERS_BYTES: 'none',
  REQUEST_TX_DURATION: 'none',
  RESPONSE_CODE: 'none',
  RESPONSE_DURATION: 'none',
  RESPONSE_FLAGS: 'none',
  RESPONSE_FLAGS_LONG: 'none',
  RESPONSE_HEADERS_BYTES: 'none',
  RESPONSE_TRAILERS_BYTES: 'none',
  RESPONSE_TX_DURATION: 'none',
  ROUNDTRIP_DURATION: 'none',
  ROUTE_NAME: 'none',
  SPAN_ID: 'none',
  STREAM_ID: 'none',
  TLS_JA3_FINGERPRINT: 'none',
  TLS_JA4_FINGERPRINT: 'none',
  TRACE_ID: 'none',
  UNIQUE_ID: 'none',
  UPSTREAM_CLUSTER: 'none',
  UPSTREAM_CLUSTER_RAW: 'none',
  UPSTREAM_CONNECTION_ID: 'none',
  UPSTREAM_CONNECTION_IDS_ATTEMPTED: 'none',
  UPSTREAM_CONNECTION_POOL_READY_DURATION: 'none',
  UPSTREAM_DECOMPRESSED_HEADER_BYTES_RECEIVED: 'none',
  UPSTREAM_DECOMPRESSED_HEADER_BYTES_SENT: 'none',
  UPSTREAM_DETECTED_CLOSE_TYPE: 'none',
  UPSTREAM_HEADER_BYTES_RECEIVED: 'none',
  UPSTREAM_HEADER_BYTES_SENT: 'none',
  UPSTREAM_HOST: 'none',
  UPSTREAM_HOSTS_ATTEMPTED: 'none',
  UPSTREAM_HOSTS_ATTEMPTED_WITHOUT_PORT: 'none',
  UPSTREAM_HOST_NAME: 'none',
  UPSTREAM_HOST_NAMES_ATTEMPTED: 'none',
  UPSTREAM_HOST_NAMES_ATTEMPTED_WITHOUT_PORT: 'none',
  UPSTREAM_HOST_NAME_WITHOUT_PORT: 'none',
  UPSTREAM_LOCAL_ADDRESS: 'none',
  UPSTREAM_LOCAL_CLOSE_REASON: 'none',
  UPSTREAM_LOCAL_DNS_SAN: 'none',
  UPSTREAM_LOCAL_IP_SAN: 'none',
  UPSTREAM_LOCAL_PORT: 'none',
  UPSTREAM_LOCAL_URI_SAN: 'none',
  UPSTREAM_PEER_CERT: 'none',
  UPSTREAM_PEER_DNS_SAN: 'none',
  UPSTREAM_PEER_IP_SAN: 'none',
  UPSTREAM_PEER_ISSUER: 'none',
  UPSTREAM_PEER_SUBJECT: 'none',
  UPSTREAM_PEER_URI_SAN: 'none',
  UPSTREAM_PROTOCOL: 'none',
  UPSTREAM_REMOTE_ADDRESS: 'none',
  UPSTREAM_REMOTE_ADDRESS_ENDPOINT_ID: 'none',
  UPSTREAM_REMOTE_PORT: 'none',
  UPSTREAM_REQUEST_ATTEMPT_COUNT: 'none',
  UPSTREAM_SERVER_NAME: 'none',
  UPSTREAM_TLS_CIPHER: 'none',
  UPSTREAM_TLS_GROUP: 'none',
  UPSTREAM_TLS_SESSION_ID: 'none',
  UPSTREAM_TLS_VERSION: 'none',
  UPSTREAM_TRANSPORT_FAILURE_REASON: 'none',
  UPSTREAM_WIRE_BYTES_RECEIVED: 'none',
  UPSTREAM_WIRE_BYTES_SENT: 'none',
  VIRTUAL_CLUSTER_NAME: 'none',
  // Parameters optional: %NAME% or %NAME(…)%
  DOWNSTREAM_DIRECT_LOCAL_ADDRESS_WITHOUT_PORT: 'optional',
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: 'optional',
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: 'optional',
  DOWNSTREAM_PEER_CERT_V_END: 'optional',
  DOWNSTREAM_PEER_CERT_V_START: 'optional',
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: 'optional',
  EMIT_TIME: 'optional',
  EMIT_TIME_LOCAL: 'optional',
  RESPONSE_CODE_DETAILS: 'optional',
  START_TIME: 'optional',
  START_TIME_LOCAL: 'optional',
  UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: 'optional',
  UPSTREAM_PEER_CERT_V_END: 'optional',
  UPSTREAM_PEER_CERT_V_START: 'optional',
  UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: 'optional',
  // Parameters required: %NAME(…)%
  CEL: 'required',
  CLUSTER_METADATA: 'required',
  COMMON_DURATION: 'required',
  DYNAMIC_METADATA: 'required',
  ENVIRONMENT: 'required',
  FILTER_STATE: 'required',
  METADATA: 'required',
  QUERY_PARAM: 'required',
  REQ: 'required',
  REQUEST_HEADER: 'required',
  RESP: 'required',
  RESPONSE_HEADER: 'required',
  RESPONSE_TRAILER: 'required',
  STREAM_INFO_REQ: 'required',
  TRAILER: 'required',
  UPSTREAM_FILTER_STATE: 'required',
  UPSTREAM_METADATA: 'required',
};

/** The commands that take a `:length` suffix (truncation); Envoy refuses one on any other. */
export const envoyFormatCommandsWithLength: ReadonlySet<string> = new Set([
  'CEL',
  'DYNAMIC_METADATA',
  'ENVIRONMENT',
  'FILTER_STATE',
  'METADATA',
  'PATH',
  'QUERY_PARAM',
  'QUERY_PARAMS',
  'REQ',
  'REQUEST_HEADER',
  'RESP',
  'RESPONSE_HEADER',
  'RESPONSE_TRAILER',
  'STREAM_INFO_REQ',
  'TRAILER',
  'UPSTREAM_FILTER_STATE',
]);

/** Envoy's command grammar at the start of `text`: `%NAME(args):len%`. */
const commandAt = /^%([A-Z0-9_]+)(\([^)]*\))?(:[0-9]+)?%/;

/**
 * What Envoy's format parser would refuse in `text`, or undefined: a "%"
 * that starts no command ("%%" is a literal percent sign), an unknown
 * command, or parameters a command does not take or needs.
 */
export function formatStringProblem(text: string): string | undefined {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    if (text[i + 1] === '%') {
      i += 2;
      continue;
    }
    const command = commandAt.exec(text.slice(i));
    if (!command) return `is not a valid format: no command at position ${i} (write "%%" for a percent sign)`;
    const name = command[1] as string;
    const params = command[2] !== undefined;
    const kind = envoyFormatCommands[name];
    if (kind === undefined) return `uses %${name}%, which is not a command Envoy knows`;
    if (kind === 'none' && params) return `passes parameters to %${name}%, which takes none`;
    if (kind === 'required' && !params)
      return `uses %${name}% without the parameters it needs (%${name}(…)%)`;
    if (command[3] !== undefined && !envoyFormatCommandsWithLength.has(name))
      return `gives %${name}% a length (${command[3]}), which it does not take`;
    i += command[0].length;
  }
  return undefined;
}

/**
 * The same check worded for a diagnostic on the user's field (the http plugin):
 * the first thing in `text` Envoy's format parser would refuse, as the end of
 * a sentence ("… has …"), or undefined: a "%" that starts no command ("%%"
 * is a literal percent sign), an unknown command, or parameters a command
 * does not take or needs.
 */
export function formatProblem(text: string): string | undefined {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i)) {
    if (text[i + 1] === '%') {
      i += 2;
      continue;
    }
    const command = commandAt.exec(text.slice(i));
    if (!command)
      return `a "%" at position ${i} that starts no Envoy command (commands look like %REQ(name)% or %DOWNSTREAM_REMOTE_ADDRESS%; write "%%" for a percent sign)`;
    const name = command[1] as string;
    const kind = envoyFormatCommands[name];
    if (kind === undefined) return `%${name}%, which is not an Envoy format operator`;
    if (kind === 'none' && command[2] !== undefined)
      return `parameters for %${name}%, which takes none; write %${name}%`;
    if (kind === 'required' && command[2] === undefined)
      return `%${name}% without the parameters it needs; write %${name}(…)%`;
    if (command[3] !== undefined && !envoyFormatCommandsWithLength.has(name))
      return `a length on %${name}% (${command[3]}), which it does not take`;
    i += command[0].length;
  }
  return undefined;
}
