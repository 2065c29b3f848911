/**
 * The cipher suite names and rule keywords, and the ECDH curve names, that
 * Envoy 1.39.3's BoringSSL accepts in TlsParameters. Envoy refuses the whole
 * TLS context (and with it the listener's secret or the cluster) for a name
 * outside these ("Failed to initialize cipher suites …" / "… ECDH curves …").
 *
 * Measured with `envoy --mode validate` on a DownstreamTlsContext, one name at
 * a time: OpenSSL's list (`openssl ciphers -v ALL:COMPLEMENTOFALL`), the TLS
 * 1.3 suites, and OpenSSL's rule keywords. BoringSSL knows fewer than OpenSSL
 * (no DHE, CAMELLIA, ARIA…) and TLS 1.3 suites cannot be configured at all.
 */
export const boringSslCipherNames: ReadonlySet<string> = new Set([
  '3DES',
  'AES',
  'AES128',
  'AES128-GCM-SHA256',
  'AES128-SHA',
  'AES256',
  'AES256-GCM-SHA384',
  'AES256-SHA',
  'AESGCM',
  'ALL',
  'CHACHA20',
  'DEFAULT',
  'DES-CBC3-SHA',
  'ECDHE',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-PSK-AES128-CBC-SHA',
  'ECDHE-PSK-AES256-CBC-SHA',
  'ECDHE-PSK-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDSA',
  'EECDH',
  'FIPS',
  'HIGH',
  'PSK',
  'PSK-AES128-CBC-SHA',
  'PSK-AES256-CBC-SHA',
  'RSA',
  'SHA',
  'SHA1',
  'SSLv3',
  'TLSv1',
  'TLSv1.2',
  'aECDSA',
  'aPSK',
  'aRSA',
  'kECDHE',
  'kEECDH',
  'kPSK',
  'kRSA',
]);

export const boringSslCurveNames: ReadonlySet<string> = new Set([
  'MLKEM1024',
  'P-256',
  'P-384',
  'P-521',
  'X25519',
  'X25519MLKEM768',
  'prime256v1',
  'secp384r1',
  'secp521r1',
  'x25519',
]);

/**
 * What BoringSSL would refuse in one cipher_suites entry, or undefined. An
 * entry is a rule list (`A:B`), each rule an optional `!`/`+`/`-` and names
 * joined by `+`, or an equal-preference group `[A|B]`; every name must be one
 * BoringSSL knows. (A rule that names only known ciphers yet selects none,
 * such as `!aNULL` alone, is refused too and not caught here.)
 */
export function cipherSuiteProblem(entry: string): string | undefined {
  for (const rule of entry.split(':')) {
    const group = /^\[(.*)\]$/.exec(rule);
    const names = group ? (group[1] as string).split('|') : rule.replace(/^[!+-]/, '').split('+');
    for (const name of names) {
      if (boringSslCipherNames.has(name)) continue;
      if (/^TLS_[A-Z0-9_]+$/.test(name))
        return `names ${name}, a TLS 1.3 suite: BoringSSL does not let TLS 1.3 suites be configured (cipher_suites applies to TLS 1.2 and below)`;
      return `names "${name}", which is not a cipher BoringSSL (Envoy's TLS library) knows; use names such as ECDHE-ECDSA-AES128-GCM-SHA256 or ECDHE-RSA-AES256-GCM-SHA384`;
    }
  }
  return undefined;
}

/** What BoringSSL would refuse in one ecdh_curves entry (`A` or `A:B`), or undefined. */
export function ecdhCurveProblem(entry: string): string | undefined {
  for (const name of entry.split(':')) {
    if (!boringSslCurveNames.has(name))
      return `names "${name}", which is not a curve BoringSSL (Envoy's TLS library) knows; use X25519, P-256, P-384 or P-521`;
  }
  return undefined;
}
