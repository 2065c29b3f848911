import { type IRHttpConnectionManager, pointerSegment } from '@attache/core';
import { formatProblem } from '@attache/envoy-facts';
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

/** Whether envoy_log_format has the shape envoy_log_type needs (text: string; json: map) and Envoy can parse it. */
export function logFormatFits(config: AmbassadorModuleConfig): boolean {
  return logFormatProblem(config) === undefined;
}

/**
 * Why envoy_log_format cannot be used, with the field to blame: a shape that
 * does not fit envoy_log_type, or a format Envoy would refuse (an unknown
 * command such as %BOGUS%, a stray "%"), which would make Envoy refuse every
 * listener. Undefined when it can be used.
 */
export function logFormatProblem(
  config: AmbassadorModuleConfig,
): { path: string; message: string } | undefined {
  const format = config.envoy_log_format;
  if (format === undefined) return undefined;
  const type = config.envoy_log_type ?? 'text';
  const path = '/spec/config/envoy_log_format';
  const fallback = `Emissary's default ${type} format is used instead`;
  if (type === 'text' ? typeof format !== 'string' : typeof format !== 'object' || format === null) {
    return {
      path,
      message: `envoy_log_type ${type} needs spec.config.envoy_log_format to be ${type === 'text' ? 'a string' : 'a map of field name to format string'}; ${fallback}`,
    };
  }
  const texts: Array<[string, unknown]> =
    typeof format === 'string'
      ? [[path, format]]
      : Object.entries(format).map(([k, v]) => [`${path}/${pointerSegment(k)}`, v]);
  for (const [at, text] of texts) {
    const problem = typeof text === 'string' ? formatProblem(text) : undefined;
    if (problem) return { path: at, message: `spec.config.envoy_log_format has ${problem}; ${fallback}` };
  }
  return undefined;
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
  if (typeof format === 'object') return [{ path, json: { ...format } }];
  return [{ path, json: { ...emissaryJsonLogFormat }, defaultFields: true }];
}
