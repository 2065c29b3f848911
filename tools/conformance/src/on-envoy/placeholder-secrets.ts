import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredResource } from '@attache/core';

export interface PemPair {
  cert: string;
  key: string;
}

/**
 * One generated certificate for every placeholder and every TLS echo server of
 * a run: RSA, because some cases allow only ECDHE-RSA cipher suites (20), which
 * an EC key cannot serve, while TLS 1.3 and ECDHE-ECDSA-less lists take RSA too.
 */
export function standInCertificate(): PemPair {
  const dir = mkdtempSync(join(tmpdir(), 'attache-conformance-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=conformance.attache.invalid',
        '-keyout',
        'tls.key',
        '-out',
        'tls.crt',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return {
      cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parses(pem: string, as: 'certificate' | 'key'): boolean {
  try {
    if (as === 'certificate') new X509Certificate(pem);
    else createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cases' Secrets carry placeholder PEM text (`FAKE-CERT-<name>`), which
 * Envoy cannot load and which Attaché refuses to send. For a real Envoy to
 * terminate TLS as the case means, each Secret whose `tls.crt` or `tls.key`
 * does not parse gets the run's generated pair instead (both, so they match);
 * a Secret whose certificate and key parse is left as it is. Returns the new
 * resources and, per replaced Secret, `Secret <namespace>/<name>`.
 */
export function withParseableSecrets(
  resources: readonly StoredResource[],
  certificate: { cert: string; key: string },
): { resources: StoredResource[]; substituted: string[] } {
  const substituted: string[] = [];
  const out = resources.map((r) => {
    if (r.resource.kind !== 'Secret') return r;
    const data = (r.resource as { data?: unknown }).data;
    if (data === null || typeof data !== 'object') return r;
    const fields = data as Record<string, unknown>;
    const decode = (key: string) =>
      typeof fields[key] === 'string'
        ? Buffer.from(fields[key] as string, 'base64').toString('utf8')
        : undefined;
    const crt = decode('tls.crt');
    const key = decode('tls.key');
    const badCert = crt !== undefined && !parses(crt, 'certificate');
    const badKey = key !== undefined && !parses(key, 'key');
    if (!badCert && !badKey) return r;
    const replaced: Record<string, unknown> = { ...fields };
    if (crt !== undefined) replaced['tls.crt'] = Buffer.from(certificate.cert).toString('base64');
    if (key !== undefined) replaced['tls.key'] = Buffer.from(certificate.key).toString('base64');
    substituted.push(`Secret ${r.resource.metadata.namespace ?? 'default'}/${r.resource.metadata.name}`);
    return { ...r, resource: { ...r.resource, data: replaced } as StoredResource['resource'] };
  });
  return { resources: out, substituted };
}
