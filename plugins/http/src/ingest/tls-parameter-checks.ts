import { cipherSuiteProblem, ecdhCurveProblem } from '../tls-names.js';

/** A TLS parameter Envoy would refuse, on the field that holds it. */
export interface TlsParameterProblem {
  code: 'HTTP_SCHEMA_INVALID';
  path: string;
  message: string;
}

/**
 * cipher_suites and ecdh_curves entries BoringSSL (Envoy's TLS library) does
 * not know. Envoy refuses the whole TLS context for one of them, so every
 * TLS connection to the Host (or to the upstream) would fail; found by
 * serving a TLSContext with a misspelled cipher to a real Envoy.
 */
export function tlsParameterProblems(
  settings: { cipher_suites?: unknown; ecdh_curves?: unknown } | undefined,
  base: string,
): TlsParameterProblem[] {
  const problems: TlsParameterProblem[] = [];
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
