import type { Json, JsonObject } from './json.js';
import { arr, obj, str } from './json.js';
import type { SecretRefText } from './model.js';

/**
 * Certificates are compared by which Secret they come from, never by path or
 * SDS name: Emissary writes files under `/secrets/<name>.<namespace>/tls.crt`
 * (the conformance placeholder), we serve SDS Secrets whose provenance names
 * the Kubernetes Secret.
 */
export type SdsResolver = (sdsName: string) => SecretRefText;

const secretFile = /^\/secrets\/(.+)\.([^./]+)\/(tls\.crt|tls\.key|ca\.crt)$/;

export function describeDataSource(source: Json | undefined): SecretRefText | undefined {
  const o = obj(source);
  if (!o) return undefined;
  const filename = str(o.filename);
  if (filename !== undefined) {
    const m = secretFile.exec(filename);
    return m ? `Secret ${m[2]}/${m[1]}` : `file ${filename}`;
  }
  const inline = str(o.inline_string) ?? str(o.inline_bytes);
  if (inline !== undefined) return `inline ${inline.slice(0, 40)}`;
  return undefined;
}

export function describeCertificates(common: JsonObject, resolveSds: SdsResolver): SecretRefText[] {
  const out: SecretRefText[] = [];
  for (const cert of arr(common.tls_certificates)) {
    const c = obj(cert);
    if (!c) continue;
    const chain = describeDataSource(c.certificate_chain);
    const key = describeDataSource(c.private_key);
    out.push(chain === key || key === undefined ? (chain ?? 'certificate') : `${chain} + key ${key}`);
  }
  for (const sds of arr(common.tls_certificate_sds_secret_configs)) {
    const name = str(obj(sds)?.name);
    if (name !== undefined) out.push(resolveSds(name));
  }
  return out;
}

export function describeValidationContext(
  common: JsonObject,
  resolveSds: SdsResolver,
): SecretRefText | undefined {
  const direct = obj(common.validation_context);
  if (direct) return describeDataSource(direct.trusted_ca) ?? 'validation context';
  const sdsName = str(obj(common.validation_context_sds_secret_config)?.name);
  if (sdsName !== undefined) return resolveSds(sdsName);
  const combined = obj(common.combined_validation_context);
  if (combined) {
    const name = str(obj(combined.validation_context_sds_secret_config)?.name);
    if (name !== undefined) return resolveSds(name);
    return describeDataSource(obj(combined.default_validation_context)?.trusted_ca) ?? 'validation context';
  }
  return undefined;
}
