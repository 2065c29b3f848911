import type { IRDownstreamTls, IRUpstreamTls } from '@attache/core';
import { adsConfigSource, defined, type Json, nonEmpty, typeUrl } from './common.js';

/**
 * TLS contexts for listeners (downstream) and clusters (upstream). Keys and
 * certificates never appear inline: they are Secrets fetched by SDS over the
 * same ADS stream, so rotating a certificate pushes one Secret, not every
 * listener that uses it.
 */

function sdsSecret(name: string): Json {
  return { name, sds_config: adsConfigSource() };
}

function commonTlsContext(tls: IRDownstreamTls | IRUpstreamTls): Json {
  const params = defined({
    cipher_suites: nonEmpty(tls.cipherSuites),
    ecdh_curves: nonEmpty(tls.ecdhCurves),
    tls_maximum_protocol_version: tls.maxVersion,
    tls_minimum_protocol_version: tls.minVersion,
  });
  // Keys in code-unit order (the order the printer's canonical JSON wants).
  return defined({
    alpn_protocols: nonEmpty(tls.alpnProtocols),
    tls_certificate_sds_secret_configs: tls.certificateSecret
      ? [sdsSecret(tls.certificateSecret)]
      : undefined,
    tls_params: Object.keys(params).length > 0 ? params : undefined,
    validation_context_sds_secret_config: tls.caSecret ? sdsSecret(tls.caSecret) : undefined,
  });
}

export function downstreamTransportSocket(tls: IRDownstreamTls): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: defined({
      '@type': typeUrl('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext'),
      common_tls_context: commonTlsContext(tls),
      require_client_certificate: tls.requireClientCertificate,
    }),
  };
}

export function upstreamTransportSocket(tls: IRUpstreamTls): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: defined({
      '@type': typeUrl('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext'),
      common_tls_context: commonTlsContext(tls),
      sni: tls.sni,
    }),
  };
}
