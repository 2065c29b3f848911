import type { DescMessage, Message } from '@bufbuild/protobuf';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import { envoyRegistry, typeNameOfUrl } from './registry.js';
import { fastAccepts } from './validate-fast.js';
import { decodeStrict } from './validate-json.js';
import { checkRules } from './validate-rules.js';
import type { ValidationIssue } from './validation-issue.js';

export type { ValidationIssue } from './validation-issue.js';

/** The outcome of checking one resource: its decoded form when valid, the issues otherwise. */
export type CheckedResource =
  | { ok: true; desc: DescMessage; message: Message; issues: [] }
  | { ok: false; issues: ValidationIssue[] };

/**
 * Checks a proto3-JSON Envoy resource (with '@type' naming its message) the
 * way Envoy would: strict decoding first (unknown fields, enum names, Any
 * types, value types), then the protoc-gen-validate rules of every message
 * inside, Any payloads included.
 */
export function checkResource(json: Record<string, unknown>): CheckedResource {
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string' || typeUrl === '') {
    return {
      ok: false,
      issues: [{ path: '/@type', message: 'a resource needs "@type" naming its message type' }],
    };
  }
  const desc = envoyRegistry.getMessage(typeNameOfUrl(typeUrl));
  if (!desc) {
    return {
      ok: false,
      issues: [{ path: '/@type', message: `unknown type "${typeUrl}": no such message in the Envoy v3 API` }],
    };
  }
  const { '@type': _type, ...body } = json;
  const decoded = decodeStrict(desc, body);
  if (!decoded.message) return { ok: false, issues: decoded.issues };
  const issues = checkRules(desc, decoded.message);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, desc, message: decoded.message, issues: [] };
}

/**
 * Every reason Envoy would reject this resource; empty when it is valid.
 *
 * A fast walk over the JSON answers first for the common, valid case; when it
 * is not certain, the authoritative check (fromJson + rules, above) decides
 * and names the issues.
 */
export function validateResource(json: Record<string, unknown>): ValidationIssue[] {
  const typeUrl = json['@type'];
  // (Descriptors of the build's table: valid resources build no file of the registry; fast-descriptors.ts.)
  const desc = typeof typeUrl === 'string' ? fastMessageOfTypeUrl(typeUrl) : undefined;
  if (desc && fastAccepts(desc, json, true)) return [];
  return checkResource(json).issues;
}
