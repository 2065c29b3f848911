import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';

/** A reason a Secret's PEM cannot be used, on the field that holds it. */
export interface PemProblem {
  field: string;
  severity: 'error' | 'warning';
  message: string;
}

/** How soon before it expires a certificate is worth a warning. */
export const expiryWarningDays = 30;
const dayMs = 24 * 60 * 60 * 1000;

/** The PEM blocks of a text, with their labels ("CERTIFICATE", "PRIVATE KEY"…). */
function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  const blocks: Array<{ label: string; pem: string }> = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
    blocks.push({ label: m[1]!, pem: m[0] });
  }
  return blocks;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0]!;
}

/** Every CERTIFICATE block of a field parsed, or the problem that stops it. */
function parseCertificates(
  field: string,
  text: string,
): { certificates: X509Certificate[] } | { problem: PemProblem } {
  const blocks = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE');
  if (blocks.length === 0) {
    return {
      problem: {
        field,
        severity: 'error',
        message: `${field} holds no "-----BEGIN CERTIFICATE-----" block; store the PEM certificate (chain)`,
      },
    };
  }
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block.pem));
    } catch (error) {
      const which = blocks.length > 1 ? `certificate ${i + 1} of ${blocks.length} in ${field}` : field;
      return {
        problem: {
          field,
          severity: 'error',
          message: `${which} is PEM-armoured but not a certificate (${firstLine(error)}); Envoy would refuse it ("Failed to load certificate chain"), so store a real certificate`,
        },
      };
    }
  }
  return { certificates };
}

// validTo is read from the certificate each time: parsed once per certificate object (they are kept).
const ends = new WeakMap<X509Certificate, number>();
function endOf(leaf: X509Certificate): number {
  let end = ends.get(leaf);
  if (end === undefined) {
    end = Date.parse(leaf.validTo);
    ends.set(leaf, end);
  }
  return end;
}

/**
 * The last time (ms) at which `expiryProblems` says nothing of this certificate: up to it (and
 * at any time when its end does not parse), the certificate is neither expired nor expiring.
 */
export function expiryQuietUntil(leaf: X509Certificate): number {
  const end = endOf(leaf);
  return Number.isNaN(end) ? Number.POSITIVE_INFINITY : end - expiryWarningDays * dayMs;
}

/** Warnings for a leaf certificate past or near its end of validity, when the compile knows the time. */
export function expiryProblems(field: string, leaf: X509Certificate, now: number | undefined): PemProblem[] {
  if (now === undefined) return [];
  const end = endOf(leaf);
  if (Number.isNaN(end)) return [];
  if (end > now && end - now >= expiryWarningDays * dayMs) return [];
  const date = new Date(end).toISOString().slice(0, 10);
  if (end <= now) {
    return [
      {
        field,
        severity: 'warning',
        message: `${field} expired on ${date} (${leaf.subject.replaceAll('\n', ', ')}); clients will refuse it: renew the certificate`,
      },
    ];
  }
  if (end - now < expiryWarningDays * dayMs) {
    const days = Math.ceil((end - now) / dayMs);
    return [
      {
        field,
        severity: 'warning',
        message: `${field} expires on ${date}, in ${days} day${days === 1 ? '' : 's'}; renew the certificate`,
      },
    ];
  }
  return [];
}

/** The curves Envoy's TLS loads certificates for (P-224, secp256k1… are refused). */
const envoyCurves = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * Why Envoy would refuse the certificate's key ("Failed to load certificate chain"), if it
 * would: RSA below 2048 bits, or an EC curve other than P-256, P-384 and P-521 (measured
 * with Envoy 1.39.3; Ed25519 loads).
 */
function unsupportedKey(leaf: X509Certificate): string | undefined {
  const key = leaf.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) < 2048) {
    return `has a ${details.modulusLength}-bit RSA key; Envoy only loads RSA certificates of 2048 bits or more`;
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve && !envoyCurves.has(details.namedCurve)) {
    return `has an EC key on curve ${details.namedCurve}; Envoy only loads P-256, P-384 and P-521 certificates`;
  }
  return undefined;
}

/**
 * What Envoy's TLS would make of a certificate chain and its key: each
 * certificate must parse, its key must be of a kind Envoy loads, the private
 * key must parse (unencrypted: there is no passphrase to give) and match the
 * first certificate. Expiry is a warning.
 */
export function checkCertificatePair(
  chain: { field: string; text: string },
  key: { field: string; text: string },
  now: number | undefined,
): PemProblem[] {
  const verdict = certificatePairVerdict(chain, key);
  return 'problem' in verdict ? [verdict.problem] : expiryProblems(chain.field, verdict.leaf, now);
}

/**
 * checkCertificatePair without the clock: the problem that makes Envoy refuse
 * the pair, or the leaf certificate (whose expiry the caller checks against
 * the compile's time). A pure function of the PEM texts, so it can be kept
 * between compiles while the Secret does not change.
 */
export function certificatePairVerdict(
  chain: { field: string; text: string },
  key: { field: string; text: string },
): { problem: PemProblem } | { leaf: X509Certificate } {
  const parsed = parseCertificates(chain.field, chain.text);
  if ('problem' in parsed) return { problem: parsed.problem };
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key.text);
  } catch (error) {
    return {
      problem: {
        field: key.field,
        severity: 'error',
        message: `${key.field} is not a private key Envoy can load (${firstLine(error)}); store the unencrypted PEM key of the certificate`,
      },
    };
  }
  const leaf = parsed.certificates[0]!;
  const keyProblem = unsupportedKey(leaf);
  if (keyProblem)
    return { problem: { field: chain.field, severity: 'error', message: `${chain.field} ${keyProblem}` } };
  if (!leaf.checkPrivateKey(privateKey)) {
    return {
      problem: {
        field: key.field,
        severity: 'error',
        message: `${key.field} does not match the certificate in ${chain.field} (${leaf.subject.replaceAll('\n', ', ')}); store the key the certificate was issued for`,
      },
    };
  }
  return { leaf };
}

/**
 * A CA bundle: every certificate in it must parse (Envoy refuses the whole bundle
 * otherwise); one that has expired or soon will is a warning, as for a certificate.
 */
export function checkCaBundle(
  bundle: { field: string; text: string },
  now: number | undefined,
): PemProblem[] {
  const parsed = caBundleVerdict(bundle);
  if ('problem' in parsed) return [parsed.problem];
  return parsed.certificates.flatMap((certificate) => expiryProblems(bundle.field, certificate, now));
}

/** checkCaBundle without the clock: the certificates, or the problem that makes Envoy refuse the bundle. */
export function caBundleVerdict(bundle: {
  field: string;
  text: string;
}): { certificates: X509Certificate[] } | { problem: PemProblem } {
  return parseCertificates(bundle.field, bundle.text);
}
