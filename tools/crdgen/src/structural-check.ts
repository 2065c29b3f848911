import type { JsonSchema } from './to-structural.js';

/**
 * The structural-schema rules the API server enforces on CRDs
 * (apiextensions.k8s.io/v1), checked offline so a bad generator output fails
 * a unit test rather than `kubectl apply`. Returns one message per problem,
 * each with the JSON path of the node.
 */
export function structuralProblems(schema: JsonSchema, path = '$'): string[] {
  const problems: string[] = [];
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  for (const forbidden of [
    '$ref',
    'definitions',
    'patternProperties',
    'dependencies',
    'additionalItems',
    'const',
    '$id',
    '$schema',
  ]) {
    if (schema[forbidden] !== undefined)
      problems.push(`${path}: '${forbidden}' is not allowed in a CRD schema`);
  }
  if (typeof schema.type !== 'string' && !preserve && !intOrString) {
    problems.push(
      `${path}: every node needs a single 'type' (or x-kubernetes-preserve-unknown-fields / x-kubernetes-int-or-string)`,
    );
  }
  if (schema.additionalProperties === false)
    problems.push(`${path}: additionalProperties: false is not allowed`);
  if (schema.additionalProperties !== undefined && schema.properties !== undefined) {
    problems.push(`${path}: properties and additionalProperties are mutually exclusive`);
  }
  if (schema.nullable === true && schema.type === undefined) problems.push(`${path}: nullable needs a type`);
  for (const junctor of ['anyOf', 'oneOf', 'allOf']) {
    for (const [i, member] of ((schema[junctor] as JsonSchema[] | undefined) ?? []).entries()) {
      for (const structural of [
        'type',
        'properties',
        'additionalProperties',
        'items',
        'description',
        'default',
        'nullable',
      ]) {
        if (member[structural] !== undefined)
          problems.push(`${path}.${junctor}[${i}]: '${structural}' is not allowed inside ${junctor}`);
      }
    }
  }
  if (schema.type === 'array' && schema.items === undefined) problems.push(`${path}: an array needs 'items'`);
  if (schema.type !== undefined && typeof schema.type !== 'string')
    problems.push(`${path}: 'type' must be a single string`);
  if (Array.isArray(schema.required) && schema.properties && typeof schema.properties === 'object') {
    for (const r of schema.required as string[]) {
      if (!(r in (schema.properties as object)))
        problems.push(`${path}: required field '${r}' is not among the properties`);
    }
  }
  for (const [key, child] of Object.entries(
    (schema.properties as Record<string, JsonSchema> | undefined) ?? {},
  )) {
    problems.push(...structuralProblems(child, `${path}.${key}`));
  }
  if (typeof schema.additionalProperties === 'object' && schema.additionalProperties !== null) {
    problems.push(...structuralProblems(schema.additionalProperties as JsonSchema, `${path}[*]`));
  }
  if (typeof schema.items === 'object' && schema.items !== null && !Array.isArray(schema.items)) {
    problems.push(...structuralProblems(schema.items as JsonSchema, `${path}[]`));
  }
  return problems;
}
