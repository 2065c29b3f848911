import { X509Certificate } from 'node:crypto';

/** What the UI may show of a certificate: never its bytes, never a key. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint: string;
  notAfter: string;
  subjectAltName?: string;
}

/** The first certificate of a PEM chain, summarised; undefined when it cannot be parsed. */
export function summarizeCertificate(pem: string): CertificateSummary | undefined {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!first) return undefined;
  try {
    const cert = new X509Certificate(first);
    return {
      subject: cert.subject.replaceAll('\n', ', '),
      issuer: cert.issuer.replaceAll('\n', ', '),
      fingerprint: cert.fingerprint256,
      notAfter: new Date(cert.validTo).toISOString(),
      ...(cert.subjectAltName ? { subjectAltName: cert.subjectAltName } : {}),
    };
  } catch {
    return undefined;
  }
}

/** PEM text of an Envoy DataSource ({ inlineString } / { inlineBytes } in either key case); undefined for files and SDS. */
export function pemOfDataSource(source: unknown): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const s = source as Record<string, unknown>;
  const inline = s.inlineString ?? s.inline_string;
  if (typeof inline === 'string') return inline;
  const bytes = s.inlineBytes ?? s.inline_bytes;
  if (typeof bytes === 'string') return Buffer.from(bytes, 'base64').toString('utf8');
  return undefined;
}
