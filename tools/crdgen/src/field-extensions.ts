import type { JsonSchema } from './to-structural.js';

/** A field a feature plugin claims on a kind another plugin owns (core's FieldExtension, by shape). */
export interface ClaimedField {
  kind: string;
  path: string;
  schema?: unknown;
  description?: string;
}

function decode(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * The kind's spec schema with the fields feature plugins claim on it
 * (`reg.fields`: Mapping `local_rate_limit`, Host `local_rate_limit`, …), so the
 * CRD describes them instead of pruning them. A field the owner's schema
 * already has keeps the owner's schema; a parent that is not an object with
 * properties is left alone (the field stays preserved there).
 */
export function withClaimedFields(
  kind: string,
  spec: JsonSchema | undefined,
  claims: readonly ClaimedField[],
): JsonSchema | undefined {
  if (!spec) return spec;
  const mine = claims.filter(
    (c) => c.kind === `getambassador.io/${kind}` && c.schema && c.path.startsWith('/spec/'),
  );
  if (mine.length === 0) return spec;
  const out = structuredClone(spec);
  for (const claim of mine) {
    const segments = claim.path.split('/').slice(2).map(decode);
    let at: JsonSchema = out;
    for (const segment of segments.slice(0, -1)) {
      const next = (at.properties as Record<string, JsonSchema> | undefined)?.[segment];
      if (!next) {
        at = {};
        break;
      }
      at = next;
    }
    const properties = at.properties as Record<string, JsonSchema> | undefined;
    const key = segments.at(-1)!;
    if (!properties || properties[key]) continue;
    const schema = structuredClone(claim.schema) as JsonSchema;
    if (claim.description && schema.description === undefined) schema.description = claim.description;
    properties[key] = schema;
  }
  return out;
}
