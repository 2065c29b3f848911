import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A PEM certificate and its private key. */
export interface PemPair {
  cert: string;
  key: string;
}

export interface CertificateOptions {
  commonName: string;
  /** subjectAltName DNS entries (default: the common name). */
  dnsNames?: string[];
  /** Sign with this CA; self-signed without one. */
  ca?: PemPair;
  /** Validity in days from now (default 30). */
  days?: number;
  /** Mark it as a CA (basicConstraints CA:TRUE). */
  isCa?: boolean;
}

/**
 * Real certificates made at test time with the openssl CLI (EC P-256: fast),
 * so TLS tests never rely on a committed private key.
 */
export function makeCertificate(options: CertificateOptions): PemPair {
  const dir = mkdtempSync(join(tmpdir(), 'attache-cert-'));
  try {
    const run = (args: string[]) =>
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const names = options.dnsNames ?? [options.commonName];
    const ext = [
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      options.isCa ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=critical,CA:FALSE',
      options.isCa
        ? 'keyUsage=critical,keyCertSign,cRLSign'
        : 'keyUsage=critical,digitalSignature,keyEncipherment',
    ];
    writeFileSync(join(dir, 'ext.cnf'), `${ext.join('\n')}\n`);
    run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key']);
    run(['pkcs8', '-topk8', '-nocrypt', '-in', 'ec.key', '-out', 'tls.key']);
    const subject = `/CN=${options.commonName}`;
    const validity = ['-days', String(options.days ?? 30)];
    if (options.ca) {
      writeFileSync(join(dir, 'ca.crt'), options.ca.cert);
      writeFileSync(join(dir, 'ca.key'), options.ca.key);
      run(['req', '-new', '-key', 'tls.key', '-subj', subject, '-out', 'tls.csr']);
      run([
        'x509',
        '-req',
        '-in',
        'tls.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        ...validity,
        '-extfile',
        'ext.cnf',
        '-out',
        'tls.crt',
      ]);
    } else {
      run([
        'req',
        '-x509',
        '-key',
        'tls.key',
        '-subj',
        subject,
        ...validity,
        '-addext',
        ext[0] as string,
        '-addext',
        ext[1] as string,
        '-addext',
        ext[2] as string,
        '-out',
        'tls.crt',
      ]);
    }
    return {
      cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      key: readFileSync(join(dir, 'tls.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CA for client-certificate and upstream-TLS tests. */
export function makeCa(commonName = 'Attaché test CA'): PemPair {
  return makeCertificate({ commonName, isCa: true, days: 30 });
}

/** A `kubernetes.io/tls` Secret holding the pair (and a CA bundle when given). */
export function tlsSecret(
  name: string,
  pair: PemPair,
  options: { namespace?: string; caCert?: string } = {},
): Record<string, unknown> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: options.namespace ?? 'default' },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': b64(pair.cert),
      'tls.key': b64(pair.key),
      ...(options.caCert ? { 'ca.crt': b64(options.caCert) } : {}),
    },
  };
}
