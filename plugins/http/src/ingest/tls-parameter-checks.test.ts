import { describe, expect, it } from 'vitest';
import { tlsParameterProblems } from './tls-parameter-checks.js';

// Each refused case was served to a real Envoy 1.39.3 (tests/e2e-envoy): unknown names make
// it refuse the TLS context; min above max it accepts, and then every handshake fails.
describe('tlsParameterProblems', () => {
  const paths = (settings: Record<string, unknown>) =>
    tlsParameterProblems(settings, '/spec').map((p) => p.path);

  it('refuses a min_tls_version above max_tls_version', () => {
    expect(paths({ min_tls_version: 'v1.3', max_tls_version: 'v1.2' })).toEqual(['/spec/min_tls_version']);
    expect(paths({ min_tls_version: 'v1.2', max_tls_version: 'v1.3' })).toEqual([]);
    expect(paths({ min_tls_version: 'v1.3', max_tls_version: 'v1.3' })).toEqual([]);
    expect(paths({ min_tls_version: 'v1.3' })).toEqual([]);
  });

  it('refuses cipher and curve names BoringSSL does not know, on the entry', () => {
    expect(
      paths({
        cipher_suites: ['ECDHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-SHA'],
        ecdh_curves: ['X25519', 'P-999'],
      }),
    ).toEqual(['/spec/cipher_suites/1', '/spec/ecdh_curves/1']);
  });

  it('refuses an ALPN protocol longer than 255 bytes', () => {
    expect(paths({ alpn_protocols: `h2,${'x'.repeat(256)}` })).toEqual(['/spec/alpn_protocols']);
    expect(paths({ alpn_protocols: `h2, ${'x'.repeat(255)}` })).toEqual([]);
  });

  it('accepts BoringSSL names, groups and rule lists', () => {
    expect(
      paths({
        cipher_suites: ['[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]', 'ALL:!RSA'],
        ecdh_curves: ['X25519:P-256'],
      }),
    ).toEqual([]);
  });
});
