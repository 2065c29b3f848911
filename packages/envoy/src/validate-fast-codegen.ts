/**
 * Generates the fast acceptance test of one message type as a specialised
 * function (validate-fast.ts decides what it checks; this file only writes it).
 * The generic walker looks every key up in a Map of field plans and calls each
 * field's check through one megamorphic call site; the generated function
 * dispatches on the key with a switch over field numbers, checks strings and
 * bools inline and calls nested messages' acceptors and other fields' checks
 * from call sites of their own, so V8 can inline them.
 */

/** Answers whether a JSON object is certainly a valid message (false: not sure). */
export type Acceptor = (json: unknown, isAnyPayload: boolean) => boolean;

/** How the generated code checks a present, non-null value of one field. */
export type InlineCheck =
  | { kind: 'string' }
  | { kind: 'boolean' }
  /** An Envoy message judged by its own acceptor (`acceptors[index]`, resolved on first use). */
  | { kind: 'message'; index: number }
  /** Any other value: `checks[index](value)`. */
  | { kind: 'call'; index: number };

export interface AcceptorField {
  /** The field's proto name, as lowering writes it. */
  name: string;
  /** Its JSON name when that differs: the same field, but not both at once (Envoy: "set multiple times"). */
  jsonName?: string;
  /** Bit among the message's present-required fields, 0 when none. */
  requiredBit: number;
  /** Bit of the field's oneof (at most 2^29), 0 when it is in none. */
  oneofBit: number;
  check: InlineCheck;
}

export interface AcceptorSpec {
  /** For the function's name in profiles: the message's type name. */
  typeName: string;
  fields: readonly AcceptorField[];
  /** Every requiredBit or'ed: a valid object sets all of them. */
  requiredMask: number;
  /** Bits of oneofs one of whose members must be set. */
  requiredOneofBits: readonly number[];
  /** Envoy's load-time checks of the message over its JSON, last. */
  semantic?: (json: Record<string, unknown>) => boolean;
}

/**
 * The acceptor of `spec`. `acceptors` is an array the caller fills lazily
 * (each entry a function that replaces itself with the real acceptor on first
 * call), shared so that recursive messages work; `checks` holds field checks.
 */
export function generateAcceptor(
  spec: AcceptorSpec,
  acceptors: Acceptor[],
  checks: ReadonlyArray<(json: unknown) => boolean>,
): Acceptor {
  const keyNumbers = new Map<string, number>();
  const names = spec.fields.map((field) => field.name);
  const cases: string[] = [];
  const count = spec.fields.length;
  spec.fields.forEach((field, i) => {
    keyNumbers.set(field.name, i);
    const body: string[] = ['if (v === null) continue;'];
    if (field.requiredBit !== 0) body.push(`required |= ${field.requiredBit};`);
    if (field.oneofBit !== 0) {
      body.push(`if ((oneofs & ${field.oneofBit}) !== 0) return false;`, `oneofs |= ${field.oneofBit};`);
    }
    const check = field.check;
    switch (check.kind) {
      case 'string':
        body.push(`if (typeof v !== 'string') return false;`);
        break;
      case 'boolean':
        body.push(`if (typeof v !== 'boolean') return false;`);
        break;
      case 'message':
        body.push(`if (!acceptors[${check.index}](v, false)) return false;`);
        break;
      case 'call':
        body.push(`if (!checks[${check.index}](v)) return false;`);
        break;
    }
    body.push('continue;');
    cases.push(`case ${i}:`, ...body);
    if (field.jsonName !== undefined) {
      // The JSON name's own case: the proto name given too is a second value for one field.
      keyNumbers.set(field.jsonName, count + i);
      cases.push(`case ${count + i}:`, `if (Object.hasOwn(json, names[${i}])) return false;`, ...body);
    }
  });
  const after: string[] = [];
  if (spec.requiredMask !== 0) after.push(`if (required !== ${spec.requiredMask}) return false;`);
  for (const bit of spec.requiredOneofBits) after.push(`if ((oneofs & ${bit}) === 0) return false;`);
  after.push(spec.semantic ? 'return semantic(json);' : 'return true;');
  const name = `accept_${spec.typeName.replace(/\W/g, '_')}`;
  const source = `"use strict";
return function ${name}(json, isAnyPayload) {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  let required = 0;
  let oneofs = 0;
  for (const key in json) {
    const v = json[key];
    switch (keyNumbers.get(key)) {
${cases.join('\n')}
      default:
        if (isAnyPayload && key === '@type') continue;
        return false;
    }
  }
${after.join('\n')}
};`;
  // The source holds this file's text, numbers and the type name as an identifier (\w only): no JSON key.
  const make = new Function('keyNumbers', 'names', 'acceptors', 'checks', 'semantic', source) as (
    keyNumbers: Map<string, number>,
    names: readonly string[],
    acceptors: Acceptor[],
    checks: ReadonlyArray<(json: unknown) => boolean>,
    semantic: AcceptorSpec['semantic'],
  ) => Acceptor;
  return make(keyNumbers, names, acceptors, checks, spec.semantic);
}
