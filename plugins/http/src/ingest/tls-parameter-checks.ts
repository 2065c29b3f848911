import { cipherSuiteProblem, ecdhCurveProblem } from '@attache/envoy-facts';

/** A TLS parameter Envoy would refuse, on the field that holds it. */
export interface TlsParameterProblem {
  code: 'HTTP_SCHEMA_INVALID';
  path: string;
  message: string;
}

/**
 * A min_tls_version above max_tls_version, and cipher_suites and ecdh_curves
 * entries BoringSSL (Envoy's TLS library) does not know. Envoy refuses the whole TLS context for one of them, so every
 * TLS connection to the Host (or to the upstream) would fail; found by
 * serving a TLSContext with a misspelled cipher to a real Envoy.
 */
export function tlsParameterProblems(
  settings:
    | {
        cipher_suites?: unknown;
        ecdh_curves?: unknown;
        min_tls_version?: unknown;
        max_tls_version?: unknown;
        alpn_protocols?: unknown;
      }
    | undefined,
  base: string,
): TlsParameterProblem[] {
  const problems: TlsParameterProblem[] = [];
  // Envoy refuses an ALPN protocol name over 255 bytes ("Invalid ALPN protocol string").
  const alpn = settings?.alpn_protocols;
  const longAlpn =
    typeof alpn === 'string' ? alpn.split(',').find((p) => Buffer.byteLength(p.trim()) > 255) : undefined;
  if (longAlpn !== undefined) {
    problems.push({
      code: 'HTTP_SCHEMA_INVALID',
      path: `${base}/alpn_protocols`,
      message: `alpn_protocols has a protocol of ${Buffer.byteLength(longAlpn.trim())} bytes; ALPN protocol names are at most 255 bytes (h2, http/1.1…)`,
    });
  }
  // Envoy accepts min above max, and then every handshake fails (seen on a real Envoy).
  const order = ['v1.0', 'v1.1', 'v1.2', 'v1.3'];
  const min = order.indexOf(String(settings?.min_tls_version));
  const max = order.indexOf(String(settings?.max_tls_version));
  if (min >= 0 && max >= 0 && min > max) {
    problems.push({
      code: 'HTTP_SCHEMA_INVALID',
      path: `${base}/min_tls_version`,
      message: `min_tls_version ${String(settings?.min_tls_version)} is above max_tls_version ${String(settings?.max_tls_version)}: no TLS version satisfies both, so every handshake would fail; swap them`,
    });
  }
  for (const [field, problemOf] of [
    ['cipher_suites', cipherSuiteProblem],
    ['ecdh_curves', ecdhCurveProblem],
  ] as const) {
    const list = settings?.[field];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const problem = typeof entry === 'string' ? problemOf(entry) : undefined;
      if (problem)
        problems.push({
          code: 'HTTP_SCHEMA_INVALID',
          path: `${base}/${field}/${i}`,
          message: `${field}[${i}] ${problem}`,
        });
    });
  }
  return problems;
}
