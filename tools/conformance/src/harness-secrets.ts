import type { StoredResource } from '@attache/core';
import type { EnvoyModel, FilterChainModel } from '@attache/explain';

/**
 * Emissary's Python unit tests (the listener goldens) run with a secret
 * handler that invents a certificate (test.crt / test.key) for every Secret
 * a Host or TLSContext names, and for Emissary's fallback certificate
 * (fallback-self-signed-cert in its namespace, 'default'). To compile those
 * inputs the way they were compiled, the same Secrets are added; since the
 * invented certificates carry no identity, certificates are then compared
 * only as present or absent.
 */
export function withHarnessSecrets(resources: readonly StoredResource[]): StoredResource[] {
  const present = new Set(
    resources
      .filter((r) => r.resource.kind === 'Secret')
      .map((r) => `${r.resource.metadata.namespace ?? 'default'}/${r.resource.metadata.name}`),
  );
  const wanted = new Set<string>(['default/fallback-self-signed-cert']);
  for (const r of resources) {
    const ns = r.resource.metadata.namespace ?? 'default';
    const spec = (r.resource.spec ?? {}) as Record<string, unknown>;
    if (r.resource.kind === 'Host') {
      const tlsSecret = spec.tlsSecret as { name?: unknown; namespace?: unknown } | undefined;
      if (typeof tlsSecret?.name === 'string')
        wanted.add(`${typeof tlsSecret.namespace === 'string' ? tlsSecret.namespace : ns}/${tlsSecret.name}`);
    }
    if (r.resource.kind === 'TLSContext' && typeof spec.secret === 'string') {
      const dot = spec.secret.lastIndexOf('.');
      wanted.add(
        dot > 0 ? `${spec.secret.slice(dot + 1)}/${spec.secret.slice(0, dot)}` : `${ns}/${spec.secret}`,
      );
    }
  }
  const out = [...resources];
  for (const key of [...wanted].sort()) {
    if (present.has(key)) continue;
    const [namespace, name] = key.split('/') as [string, string];
    const pem = (kind: string) =>
      Buffer.from(`-----BEGIN ${kind}-----\nFAKE-${name}\n-----END ${kind}-----\n`).toString('base64');
    out.push({
      resource: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name, namespace },
        data: { 'tls.crt': pem('CERTIFICATE'), 'tls.key': pem('PRIVATE KEY') },
      },
      origin: { source: 'conformance', file: '(Emissary unit-test secret handler)' },
    });
  }
  return out;
}

/** Certificates as present or absent: the harness's invented ones all look alike. */
export function withAnonymousCertificates(model: EnvoyModel): EnvoyModel {
  const anonymise = (chain: FilterChainModel) => {
    if (chain.tls) {
      chain.tls.certificates = chain.tls.certificates.map(() => '(certificate)');
      if (chain.tls.validationContext) chain.tls.validationContext = '(CA)';
    }
  };
  for (const l of model.listeners) {
    l.filterChains.forEach(anonymise);
    if (l.defaultFilterChain) anonymise(l.defaultFilterChain);
  }
  return model;
}
