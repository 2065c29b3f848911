import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, createIncrementalCompiler, type StoredResource, TypeUrl } from '@attache/core';
import { buildStaticBootstrap, envoyPlugin } from '@attache/envoy';
import {
  envoyMissingMessage,
  findEnvoyBinary,
  makeCa,
  makeCertificate,
  type PemPair,
} from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

// Real certificates, made with openssl for this run (none is committed).
const site = makeCertificate({ commonName: 'site.example.com', days: 365 });
const other = makeCertificate({ commonName: 'other.example.com', days: 365 });
const ca = makeCa();
const fakeCert = '-----BEGIN CERTIFICATE-----\nFAKE-CERT-site\n-----END CERTIFICATE-----\n';
const fakeKey = '-----BEGIN PRIVATE KEY-----\nFAKE-KEY-site\n-----END PRIVATE KEY-----\n';
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A self-signed pair with these `openssl req` key options (kinds the testkit does not make). */
function opensslPair(keyOptions: string[]): PemPair {
  const dir = mkdtempSync(join(tmpdir(), 'attache-key-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...keyOptions,
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
        '-days',
        '30',
        '-subj',
        '/CN=site',
      ],
      {
        cwd: dir,
        stdio: 'ignore',
      },
    );
    return { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});
const listener = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Listener',
  metadata: { name: 'https', namespace: 'default' },
  spec: { port: 8443, protocol: 'HTTPS', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
});
const mapping = stored({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  metadata: { name: 'api', namespace: 'default' },
  spec: { hostname: '*', prefix: '/api/', service: 'api' },
});
const host = (name: string, secret: string, extra: Record<string, unknown> = {}) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Host',
    metadata: { name, namespace: 'default' },
    spec: { hostname: `${name}.example.com`, tlsSecret: { name: secret }, ...extra },
  });
type Fields = Record<string, string>;
const secret = (name: string, fields: { data?: Fields; stringData?: Fields }) =>
  stored({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/tls',
    ...fields,
  });
const dataOf = (pair: PemPair): Fields => ({ 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) });

function run(resources: StoredResource[], now?: number) {
  const result = compile(
    [listener, mapping, ...resources],
    [httpPlugin, envoyPlugin],
    now === undefined ? {} : { now },
  );
  return {
    result,
    secrets: result.xds[TypeUrl.Secret].map((s) => s.name),
    diagnostics: result.diagnostics.map((d) => [d.code, `${d.resource?.kind}/${d.resource?.name}`, d.path]),
  };
}

describe('TLS Secrets given as stringData are read exactly like data', () => {
  it('a valid pair in stringData produces the same Envoy output as in data', () => {
    const fromData = run([host('site', 'site-cert'), secret('site-cert', { data: dataOf(site) })]);
    const fromString = run([
      host('site', 'site-cert'),
      secret('site-cert', { stringData: { 'tls.crt': site.cert, 'tls.key': site.key } }),
    ]);
    expect(fromString.diagnostics).toEqual(fromData.diagnostics);
    expect(fromString.secrets).toEqual(['default/site-cert']);
    expect(fromString.result.xds).toEqual(fromData.result.xds);
  });

  it('a placeholder in stringData is refused like one in data, on its stringData field', () => {
    const { secrets, diagnostics } = run([
      host('site', 'site-cert'),
      secret('site-cert', { stringData: { 'tls.crt': fakeCert, 'tls.key': site.key } }),
    ]);
    expect(secrets).toEqual([]);
    expect(diagnostics).toContainEqual(['SECRET_INVALID', 'Secret/site-cert', '/stringData/tls.crt']);
    expect(diagnostics).toContainEqual(['HOST_SECRET_MISSING', 'Host/site', '/spec/tlsSecret/name']);
  });

  it('stringData wins over data for the same key, as the Kubernetes API merges them', () => {
    const { secrets, diagnostics } = run([
      host('site', 'site-cert'),
      secret('site-cert', {
        data: { 'tls.crt': b64(fakeCert), 'tls.key': b64(fakeKey) },
        stringData: { 'tls.crt': site.cert, 'tls.key': site.key },
      }),
    ]);
    expect(diagnostics.filter(([code]) => code === 'SECRET_INVALID')).toEqual([]);
    expect(secrets).toEqual(['default/site-cert']);
  });
});

describe('certificates and keys are parsed as Envoy would load them', () => {
  it('a PEM-armoured placeholder certificate is an error naming the Secret and its Hosts, and is never sent', () => {
    const { result, secrets, diagnostics } = run([
      host('site', 'bad-cert'),
      host('shop', 'bad-cert'),
      host('other', 'other-cert'),
      secret('bad-cert', { data: { 'tls.crt': b64(fakeCert), 'tls.key': b64(site.key) } }),
      secret('other-cert', { data: dataOf(other) }),
    ]);
    // The good Secret still reaches Envoy: one bad Secret no longer poisons the Secret update.
    expect(secrets).toEqual(['default/other-cert']);
    const onSecret = result.diagnostics.filter((d) => d.code === 'SECRET_INVALID');
    expect(onSecret.map((d) => [d.resource?.name, d.path, d.severity])).toEqual([
      ['bad-cert', '/data/tls.crt', 'error'],
    ]);
    expect(onSecret[0]!.message).toContain('Host default/site');
    expect(onSecret[0]!.message).toContain('Host default/shop');
    expect(diagnostics).toContainEqual(['HOST_SECRET_MISSING', 'Host/site', '/spec/tlsSecret/name']);
    expect(diagnostics).toContainEqual(['HOST_SECRET_MISSING', 'Host/shop', '/spec/tlsSecret/name']);
    expect(JSON.stringify(result.xds)).not.toContain('FAKE-CERT');
  });

  it('a key that does not parse is an error on tls.key', () => {
    const { secrets, diagnostics } = run([
      host('site', 'site-cert'),
      secret('site-cert', { data: { 'tls.crt': b64(site.cert), 'tls.key': b64(fakeKey) } }),
    ]);
    expect(secrets).toEqual([]);
    expect(diagnostics).toContainEqual(['SECRET_INVALID', 'Secret/site-cert', '/data/tls.key']);
  });

  it('a key that does not match the certificate is an error on tls.key', () => {
    const { secrets, diagnostics } = run([
      host('site', 'site-cert'),
      secret('site-cert', { data: { 'tls.crt': b64(site.cert), 'tls.key': b64(other.key) } }),
    ]);
    expect(secrets).toEqual([]);
    expect(diagnostics).toContainEqual(['SECRET_INVALID', 'Secret/site-cert', '/data/tls.key']);
  });

  it.each([
    ['a 1024-bit RSA key', ['-newkey', 'rsa:1024']],
    ['an EC key on P-224', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-224']],
  ])('a certificate with %s, which Envoy does not load, is an error on tls.crt', (_what, keyOptions) => {
    const pair = opensslPair(keyOptions);
    const { secrets, diagnostics } = run([
      host('site', 'site-cert'),
      secret('site-cert', { data: dataOf(pair) }),
    ]);
    expect(secrets).toEqual([]);
    expect(diagnostics).toContainEqual(['SECRET_INVALID', 'Secret/site-cert', '/data/tls.crt']);
  });

  it('a CA bundle that does not parse is an error naming the TLSContext that uses it', () => {
    const context = stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'TLSContext',
      metadata: { name: 'mtls', namespace: 'default' },
      spec: { secret: 'site-cert', ca_secret: 'clients-ca' },
    });
    const { result, secrets, diagnostics } = run([
      host('site', 'site-cert', { tlsContext: { name: 'mtls' } }),
      context,
      secret('site-cert', { data: dataOf(site) }),
      secret('clients-ca', { data: { 'ca.crt': b64(`${ca.cert}${fakeCert}`) } }),
    ]);
    expect(secrets).not.toContain('default/clients-ca#ca');
    const onCa = result.diagnostics.find((d) => d.code === 'SECRET_INVALID')!;
    expect([onCa.resource?.name, onCa.path]).toEqual(['clients-ca', '/data/ca.crt']);
    expect(onCa.message).toContain('certificate 2 of 2');
    expect(onCa.message).toContain('TLSContext default/mtls');
    expect(diagnostics).toContainEqual(['TLSCONTEXT_SECRET_MISSING', 'TLSContext/mtls', '/spec/ca_secret']);
  });

  it('a CA bundle that parses is sent', () => {
    const context = stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'TLSContext',
      metadata: { name: 'mtls', namespace: 'default' },
      spec: { secret: 'site-cert', ca_secret: 'clients-ca' },
    });
    const { secrets } = run([
      host('site', 'site-cert', { tlsContext: { name: 'mtls' } }),
      context,
      secret('site-cert', { data: dataOf(site) }),
      secret('clients-ca', { stringData: { 'ca.crt': ca.cert } }),
    ]);
    expect(secrets).toEqual(['default/clients-ca#ca', 'default/site-cert']);
  });
});

describe('expiry is a warning, measured against the time the compile is given', () => {
  const validTo = Date.parse(new X509Certificate(site.cert).validTo);
  const day = 24 * 60 * 60 * 1000;
  const inputs = [host('site', 'site-cert'), secret('site-cert', { data: dataOf(site) })];
  const expiryWarnings = (now?: number) =>
    run(inputs, now).result.diagnostics.filter((d) => d.code === 'SECRET_CERT_EXPIRING');

  it('an expired certificate is a warning, and still served', () => {
    const warnings = expiryWarnings(validTo + day);
    expect(warnings.map((d) => [d.severity, d.resource?.name, d.path])).toEqual([
      ['warning', 'site-cert', '/data/tls.crt'],
    ]);
    expect(warnings[0]!.message).toContain('expired');
    expect(run(inputs, validTo + day).secrets).toEqual(['default/site-cert']);
  });

  it('one expiring within 30 days is a warning; one with more left is not', () => {
    expect(expiryWarnings(validTo - 10 * day).map((d) => d.message)).toEqual([
      expect.stringContaining('in 10 days'),
    ]);
    expect(expiryWarnings(validTo - 31 * day)).toEqual([]);
  });

  it('an expired CA certificate is a warning too, and the bundle is still sent', () => {
    const context = stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'TLSContext',
      metadata: { name: 'mtls', namespace: 'default' },
      spec: { secret: 'site-cert', ca_secret: 'clients-ca' },
    });
    const caEnd = Date.parse(new X509Certificate(ca.cert).validTo);
    const { result, secrets } = run(
      [
        host('site', 'site-cert', { tlsContext: { name: 'mtls' } }),
        context,
        secret('site-cert', { data: dataOf(site) }),
        secret('clients-ca', { data: { 'ca.crt': b64(ca.cert) } }),
      ],
      caEnd + day,
    );
    const warnings = result.diagnostics.filter((d) => d.code === 'SECRET_CERT_EXPIRING');
    expect(warnings.map((d) => [d.resource?.name, d.path])).toContainEqual(['clients-ca', '/data/ca.crt']);
    expect(secrets).toContain('default/clients-ca#ca');
  });

  it('without a time (a pure compile), nothing is said about expiry', () => {
    expect(expiryWarnings(undefined)).toEqual([]);
  });

  it('a kept Host TLS outcome (inputs unchanged, the clock moving) reports what a full compile reports', () => {
    // Two Hosts, one certificate ending a day after the other, and a placeholder Secret: its
    // error is reported every compile, the expiry warnings only once the clock is near an end.
    const later = makeCertificate({ commonName: 'later.example.com', days: 366 });
    const laterEnd = Date.parse(new X509Certificate(later.cert).validTo);
    const all = [
      listener,
      mapping,
      host('site', 'site-cert'),
      host('later', 'later-cert'),
      host('fake', 'fake-cert'),
      secret('site-cert', { data: dataOf(site) }),
      secret('later-cert', { data: dataOf(later) }),
      secret('fake-cert', { data: dataOf({ cert: fakeCert, key: fakeKey }) }),
    ];
    const plugins = [httpPlugin, envoyPlugin];
    const incremental = createIncrementalCompiler(plugins);
    const said = (r: ReturnType<typeof compile>) =>
      r.diagnostics.map((d) => [d.code, d.resource?.name, d.path, d.message]);
    const ends = [validTo, laterEnd].sort((a, b) => a - b);
    const times = [
      undefined,
      ends[0]! - 40 * day,
      ends[0]! - 30 * day, // the last quiet instant of the earlier certificate
      ends[0]! - 30 * day + 1,
      ends[1]! - 30 * day - 1,
      undefined,
      ends[1]! - 10 * day,
      ends[0]! - 31 * day,
      ends[1]! + day,
    ];
    let warned = 0;
    for (const now of times) {
      const options = now === undefined ? {} : { now };
      const kept = said(incremental.compile(all, options));
      const full = said(compile(all, plugins, options));
      expect(kept).toEqual(full);
      expect(full.some((d) => d[0] === 'SECRET_INVALID')).toBe(true);
      warned += full.filter((d) => d[0] === 'SECRET_CERT_EXPIRING').length;
    }
    // The clocks above cross both ends: warnings were due (and matched) at five of them.
    expect(warned).toBeGreaterThanOrEqual(5);
  });
});

const envoy = findEnvoyBinary();
if (!envoy) console.warn(envoyMissingMessage('secrets (Envoy-backed)'));

describe.skipIf(!envoy)('a real Envoy loads what is sent', () => {
  it('with a placeholder Secret beside a good one, the output passes envoy --mode validate', () => {
    const { result } = run([
      host('site', 'bad-cert'),
      host('other', 'other-cert'),
      secret('bad-cert', { data: { 'tls.crt': b64(fakeCert), 'tls.key': b64(fakeKey) } }),
      secret('other-cert', { stringData: { 'tls.crt': other.cert, 'tls.key': other.key } }),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'attache-secrets-'));
    try {
      const file = join(dir, 'bootstrap.json');
      writeFileSync(file, JSON.stringify(buildStaticBootstrap(result.xds)));
      const out = execFileSync(
        envoy!,
        ['--mode', 'validate', '-c', file, '--use-dynamic-base-id', '-l', 'critical'],
        {
          encoding: 'utf8',
        },
      );
      expect(out).toContain('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('copies of one certificate (parsed once per compile)', () => {
  it('every copy is judged on its own: a copy whose key does not match is refused, the others are sent', () => {
    const { secrets, diagnostics } = run([
      host('a', 'copy-a'),
      host('b', 'copy-b'),
      host('c', 'copy-c'),
      secret('copy-a', { data: dataOf(site) }),
      secret('copy-b', { data: dataOf(site) }),
      // The same certificate text with another key: the pair differs, so its verdict does too.
      secret('copy-c', { data: { 'tls.crt': b64(site.cert), 'tls.key': b64(other.key) } }),
    ]);
    expect(secrets).toEqual(['default/copy-a', 'default/copy-b']);
    expect(diagnostics).toContainEqual(['SECRET_INVALID', 'Secret/copy-c', '/data/tls.key']);
    expect(diagnostics.filter(([code]) => code === 'SECRET_INVALID')).toHaveLength(1);
  });
});
