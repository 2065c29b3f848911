import type { StoredResource } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { standInCertificate, withParseableSecrets } from './placeholder-secrets.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const secret = (name: string, data: Record<string, string>): StoredResource => ({
  resource: { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data } as never,
  origin: { source: 'test' },
});

describe('withParseableSecrets', () => {
  const real = standInCertificate();
  const generated = { cert: 'GENERATED-CERT', key: 'GENERATED-KEY' };

  it('replaces placeholder PEM (certificate and key together) and keeps parseable Secrets', () => {
    const input = [
      secret('fake', {
        'tls.crt': b64('-----BEGIN CERTIFICATE-----\nFAKE-CERT-fake\n-----END CERTIFICATE-----\n'),
        'tls.key': b64(real.key),
      }),
      secret('ca-only', {
        'tls.crt': b64('-----BEGIN CERTIFICATE-----\nFAKE-CA\n-----END CERTIFICATE-----\n'),
      }),
      secret('good', { 'tls.crt': b64(real.cert), 'tls.key': b64(real.key) }),
    ];
    const { resources, substituted } = withParseableSecrets(input, generated);
    expect(substituted).toEqual(['Secret default/fake', 'Secret default/ca-only']);
    expect((resources[0]!.resource as { data: unknown }).data).toEqual({
      'tls.crt': b64('GENERATED-CERT'),
      'tls.key': b64('GENERATED-KEY'),
    });
    expect((resources[1]!.resource as { data: unknown }).data).toEqual({ 'tls.crt': b64('GENERATED-CERT') });
    expect(resources[2]).toBe(input[2]);
  });
});
