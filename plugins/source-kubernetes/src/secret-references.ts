import type { StoredResource } from '@attache/core';

/** 'namespace/name' of every Secret a resource needs (TLS certificates, CA bundles, ACME keys). */
export function secretReferences(stored: StoredResource): string[] {
  const { resource } = stored;
  if (!resource.apiVersion.startsWith('getambassador.io/')) return [];
  const ns = resource.metadata.namespace ?? 'default';
  const spec = (resource.spec ?? {}) as Record<string, unknown>;
  const refs: string[] = [];
  const named = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const { name, namespace } = value as { name?: unknown; namespace?: unknown };
    if (typeof name === 'string' && name)
      refs.push(`${typeof namespace === 'string' && namespace ? namespace : ns}/${name}`);
  };
  if (resource.kind === 'Host') {
    named(spec.tlsSecret);
    named((spec.acmeProvider as Record<string, unknown> | undefined)?.privateKeySecret);
  }
  if (resource.kind === 'TLSContext') {
    // Emissary's TLSContext may write 'name.namespace' unless secret_namespacing is false.
    const namespacing = spec.secret_namespacing !== false;
    for (const field of ['secret', 'ca_secret', 'crl_secret']) {
      const value = spec[field];
      if (typeof value !== 'string' || !value) continue;
      const dot = value.indexOf('.');
      refs.push(namespacing && dot > 0 ? `${value.slice(dot + 1)}/${value.slice(0, dot)}` : `${ns}/${value}`);
    }
  }
  return refs;
}
