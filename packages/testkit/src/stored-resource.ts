import type { StoredResource } from '@attache/core';

/** An input as a source would store it, from a plain object (origin: the test). */
export function storedResource(resource: Record<string, unknown>): StoredResource {
  return { resource: resource as StoredResource['resource'], origin: { source: 'test' } };
}

/** A plain-HTTP `getambassador.io` Listener on `port` that takes Hosts from every namespace. */
export function httpListener(name = 'http', port = 8080): StoredResource {
  return storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name, namespace: 'default' },
    spec: { port, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  });
}
