import type { StoredResource } from '@attache/core';

/**
 * The generated inputs as one multi-document YAML file, for `attache compile -f`
 * and for comparing with other control planes. Each document is JSON, which is
 * YAML, so no serializer is needed and the bytes are stable.
 */
export function inputsAsYaml(resources: readonly StoredResource[]): string {
  return resources.map((r) => `---\n${JSON.stringify(r.resource)}\n`).join('');
}
