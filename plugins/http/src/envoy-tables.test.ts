import {
  boringSslCipherNames,
  boringSslCurveNames,
  envoyFormatCommands,
  envoyFormatCommandsWithLength,
} from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  envoyFormatCommandsWithLength as httpCommandsWithLength,
  envoyFormatCommands as httpFormatCommands,
} from './format-commands.js';
import {
  cipherSuiteProblem,
  ecdhCurveProblem,
  boringSslCipherNames as httpCipherNames,
  boringSslCurveNames as httpCurveNames,
} from './tls-names.js';

/**
 * The http plugin keeps copies of two tables measured on Envoy 1.39.3 (plugins
 * never import @attache/envoy): the format commands and BoringSSL's TLS names.
 * The copies must not drift from the validator's, or Attaché would accept on
 * the user's field what its own validator then refuses (or the reverse).
 */
describe('tables shared with @attache/envoy', () => {
  it('format commands are the same', () => {
    expect(httpFormatCommands).toEqual(envoyFormatCommands);
    expect([...httpCommandsWithLength].sort()).toEqual([...envoyFormatCommandsWithLength].sort());
  });
  it('cipher and curve names are the same', () => {
    expect([...httpCipherNames].sort()).toEqual([...boringSslCipherNames].sort());
    expect([...httpCurveNames].sort()).toEqual([...boringSslCurveNames].sort());
  });
});

describe('formatProblem', () => {
  it.each([
    ['%NOT_AN_OP%', /not an Envoy format operator/],
    ['%UPSTREAM_LOCAL_SUBJECT%', /not an Envoy format operator/],
    ['%PROTOCOL(x)%', /takes none/],
    ['%REQ%', /needs/],
    ['%PROTOCOL:5%', /length/],
    ['%START_TIME:5%', /length/],
    ['50% off', /starts no Envoy command/],
  ])('refuses %s', (text, message) => {
    expect(formatProblem(text)).toMatch(message);
  });
  it.each([
    '%%',
    '%START_TIME(%Y-%m-%d)%',
    '%START_TIME%',
    '%REQ(x-id):8%',
    '%UPSTREAM_CLUSTER_RAW%',
    'plain',
  ])('accepts %s', (text) => {
    expect(formatProblem(text)).toBeUndefined();
  });
});

describe('TLS names', () => {
  it('knows BoringSSL names, rules and groups, and refuses the rest', () => {
    expect(cipherSuiteProblem('ECDHE-RSA-AES128-GCM-SHA256')).toBeUndefined();
    expect(
      cipherSuiteProblem('[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]'),
    ).toBeUndefined();
    expect(cipherSuiteProblem('ALL:!RSA')).toBeUndefined();
    expect(cipherSuiteProblem('BOGUS-CIPHER')).toMatch(/not a cipher BoringSSL/);
    expect(cipherSuiteProblem('TLS_AES_128_GCM_SHA256')).toMatch(/TLS 1.3/);
    expect(cipherSuiteProblem('DHE-RSA-AES128-GCM-SHA256')).toMatch(/not a cipher BoringSSL/);
    expect(ecdhCurveProblem('X25519:P-256')).toBeUndefined();
    expect(ecdhCurveProblem('P-999')).toMatch(/not a curve/);
  });
});
