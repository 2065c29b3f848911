import { type IRSecret, type PassContext, type ResourceRef, refOf, type StoredResource } from '@attache/core';

/**
 * Turns Kubernetes Secrets into IR secrets on demand, once each. Names are
 * `namespace/name` for a certificate and `namespace/name#ca` for the same
 * Secret used as a CA bundle.
 */
export class SecretResolver {
  readonly #index = new Map<string, StoredResource>();
  readonly #ctx: PassContext;

  constructor(ctx: PassContext) {
    this.#ctx = ctx;
    for (const s of ctx.resources('Secret')) {
      this.#index.set(`${s.resource.metadata.namespace ?? 'default'}/${s.resource.metadata.name}`, s);
    }
  }

  has(namespace: string, name: string): boolean {
    return this.#index.has(`${namespace}/${name}`);
  }

  /** The IR secret name of a TLS certificate + key, or undefined when missing or invalid (reported as SECRET_INVALID). */
  certificate(namespace: string, name: string): string | undefined {
    const key = `${namespace}/${name}`;
    if (this.#ctx.ir.secrets[key]) return key;
    const stored = this.#index.get(key);
    if (!stored) return undefined;
    const crt = this.#decode(stored, 'tls.crt');
    const pk = this.#decode(stored, 'tls.key');
    if (crt === undefined || pk === undefined) return undefined;
    this.#put({ name: key, certificateChain: crt, privateKey: pk, provenance: [this.#ref(stored)] });
    return key;
  }

  /** The IR secret name of a CA bundle (ca.crt, else tls.crt), or undefined. */
  ca(namespace: string, name: string): string | undefined {
    const key = `${namespace}/${name}#ca`;
    if (this.#ctx.ir.secrets[key]) return key;
    const stored = this.#index.get(`${namespace}/${name}`);
    if (!stored) return undefined;
    const field = stored.resource.data?.['ca.crt'] !== undefined ? 'ca.crt' : 'tls.crt';
    const ca = this.#decode(stored, field);
    if (ca === undefined) return undefined;
    this.#put({ name: key, trustedCa: ca, provenance: [this.#ref(stored)] });
    return key;
  }

  #ref(stored: StoredResource): ResourceRef {
    return refOf(stored.resource, stored.origin);
  }

  #put(secret: IRSecret): void {
    this.#ctx.ir.secrets[secret.name] = secret;
  }

  #decode(stored: StoredResource, field: string): string | undefined {
    const raw = stored.resource.data?.[field];
    const stringData = (stored.resource.stringData as Record<string, string> | undefined)?.[field];
    if (raw === undefined && stringData !== undefined) return stringData;
    if (typeof raw !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(raw)) {
      this.#ctx.report({
        code: 'SECRET_INVALID',
        resource: this.#ref(stored),
        path: `/data/${field.replace('/', '~1')}`,
        message: `data.${field} is ${raw === undefined ? 'missing' : 'not base64'}; a TLS Secret needs base64 PEM in tls.crt and tls.key`,
      });
      return undefined;
    }
    const text = Buffer.from(raw, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) {
      this.#ctx.report({
        code: 'SECRET_INVALID',
        resource: this.#ref(stored),
        path: `/data/${field}`,
        message: `data.${field} does not hold PEM text ("-----BEGIN ..."); store the PEM file base64-encoded`,
      });
      return undefined;
    }
    return text;
  }
}

/** TLSContext `secret`: `name`, or `name.namespace` unless secret_namespacing is false (Emissary's rule). */
export function splitSecretName(
  secret: string,
  defaultNamespace: string,
  namespacing: boolean | undefined,
): { name: string; namespace: string } {
  const dot = secret.indexOf('.');
  if (namespacing !== false && dot > 0)
    return { name: secret.slice(0, dot), namespace: secret.slice(dot + 1) };
  return { name: secret, namespace: defaultNamespace };
}
