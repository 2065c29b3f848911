import type { IRHttpConnectionManager } from '@attache/core';
import type { AmbassadorModuleConfig } from '../schemas/module.js';

/** Emissary's default text access log line (V3Listener.access_log). */
export const emissaryTextLogFormat =
  'ACCESS [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"';

/** Emissary's default JSON access log fields (V3Listener.json_helper, without tracing). */
export const emissaryJsonLogFormat: Readonly<Record<string, string>> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%',
  upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  authority: '%REQ(:AUTHORITY)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  upstream_local_address: '%UPSTREAM_LOCAL_ADDRESS%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
  istio_policy_status: '%DYNAMIC_METADATA(istio.mixer:status)%',
  upstream_transport_failure_reason: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
};

const emissaryLogPath = '/dev/fd/1';

/** Whether envoy_log_format has the shape envoy_log_type needs (text: string; json: map). */
export function logFormatFits(config: AmbassadorModuleConfig): boolean {
  const format = config.envoy_log_format;
  if (format === undefined) return true;
  return (config.envoy_log_type ?? 'text') === 'text'
    ? typeof format === 'string'
    : typeof format === 'object';
}

/**
 * The file access log every HTTP connection manager writes, as Emissary
 * writes it: on by default (text, to stdout), `envoy_log_type` json and
 * typed_json both become Envoy v3's json_format (which keeps value types, as
 * the deprecated typed_json_format did). A format that does not fit the type
 * falls back to the default, which ingest reports.
 */
export function accessLog(config: AmbassadorModuleConfig): NonNullable<IRHttpConnectionManager['accessLog']> {
  const path = config.envoy_log_path ?? emissaryLogPath;
  const format = logFormatFits(config) ? config.envoy_log_format : undefined;
  if ((config.envoy_log_type ?? 'text') === 'text') {
    const line = typeof format === 'string' && format !== '' ? format : emissaryTextLogFormat;
    return [{ path, format: `${line}\n` }];
  }
  const fields = typeof format === 'object' ? format : emissaryJsonLogFormat;
  return [{ path, json: { ...fields } }];
}
