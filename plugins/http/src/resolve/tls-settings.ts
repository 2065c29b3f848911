import type { IRDownstreamTls, IRUpstreamTls, TlsVersion } from '@attache/core';
import type { TLSContextSettings } from '../schemas/tlscontext.js';

const versions: Record<string, TlsVersion> = {
  'v1.0': 'TLSv1_0',
  'v1.1': 'TLSv1_1',
  'v1.2': 'TLSv1_2',
  'v1.3': 'TLSv1_3',
};

/** The protocol parameters common to both directions. */
export function tlsParameters(settings: TLSContextSettings): IRDownstreamTls & IRUpstreamTls {
  const out: IRDownstreamTls & IRUpstreamTls = {};
  if (settings.alpn_protocols) {
    // Emissary copies "h2,http/1.1" as one list entry; one protocol per entry is what the field means.
    out.alpnProtocols = settings.alpn_protocols
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  }
  if (settings.min_tls_version) out.minVersion = versions[settings.min_tls_version]!;
  if (settings.max_tls_version) out.maxVersion = versions[settings.max_tls_version]!;
  if (settings.cipher_suites?.length) out.cipherSuites = [...settings.cipher_suites];
  if (settings.ecdh_curves?.length) out.ecdhCurves = [...settings.ecdh_curves];
  return out;
}
