import { jsonPointer } from '@attache/core';
import type { DescExtension, DescField, DescMessage, Message } from '@bufbuild/protobuf';
import { tableRulesOf } from './fast-descriptors.js';
import { messageSemanticOf, semanticOf } from './field-semantics.js';
import { isWrapperDesc, protobuf, ScalarType } from './protobuf-runtime.js';
import { envoyRegistry, typeNameOfUrl } from './registry.js';
import { compileTypeRules, type RuleFields, ruleFields, type ValueType } from './validate-checks.js';
import { type ValueCheck, Walker } from './validate-walker.js';
import type { ValidationIssue } from './validation-issue.js';

/**
 * Evaluates the protoc-gen-validate rules Envoy enforces (`validate.rules`
 * on fields, `validate.required` on oneofs, `validate.disabled`/`ignored` on
 * messages) over a decoded message, recursing into nested messages, list
 * items, map values and the payloads of Any fields.
 *
 * Each message descriptor is compiled once into a plan — the fields that
 * carry rules or lead to messages that do — and cached, so validating ten
 * thousand routes walks only what can fail.
 */
export function checkRules(desc: DescMessage, message: Message): ValidationIssue[] {
  const walker = new Walker();
  walkMessage(desc, message, walker);
  return walker.issues;
}

type MessageRecord = Record<string, unknown>;

export interface MessagePlan {
  /** `validate.disabled` / `validate.ignored`: nothing inside is checked. */
  disabled: boolean;
  requiredOneofs: Array<{ name: string; localName: string; fieldNames: string[] }>;
  visits: Array<(message: MessageRecord, walker: Walker) => void>;
  /** Envoy's own load-time checks on the whole message (envoy-semantics.ts). */
  semantic?: (message: unknown, walker: Walker) => void;
  /** Whether this message's own fields or oneofs carry rules. */
  hasOwnRules: boolean;
}

function extension(name: string): DescExtension {
  const ext = envoyRegistry.getExtension(name);
  if (!ext)
    throw new Error(`@attache/envoy: extension ${name} missing from the descriptor set (validate.proto)`);
  return ext;
}

/** The validate.proto extensions, looked up on first use (a compile of valid resources needs none). */
let options:
  | {
      rules: DescExtension;
      oneofRequired: DescExtension;
      messageDisabled: DescExtension;
      // Newer PGV adds `validate.ignored` (1072); the bundled validate.proto predates it.
      messageIgnored: DescExtension | undefined;
    }
  | undefined;

function validateOptions(): NonNullable<typeof options> {
  options ??= {
    rules: extension('validate.rules'),
    oneofRequired: extension('validate.required'),
    messageDisabled: extension('validate.disabled'),
    messageIgnored: envoyRegistry.getExtension('validate.ignored'),
  };
  return options;
}

const plans = new Map<DescMessage, MessagePlan>();
const fieldRulesCache = new Map<DescField, RuleFields | undefined>();

/** A field's `validate.rules`, read once from its options. */
export function fieldRuleFields(field: DescField): RuleFields | undefined {
  if (fieldRulesCache.has(field)) return fieldRulesCache.get(field);
  // The fast path's descriptors carry the rules, read at build time (fast-descriptors.ts).
  const table = tableRulesOf(field);
  let rules: RuleFields | undefined;
  if (table) rules = table.rules as RuleFields | undefined;
  else {
    const rulesOption = validateOptions().rules;
    const { getOption, hasOption } = protobuf();
    rules = hasOption(field, rulesOption) ? ruleFields(getOption(field, rulesOption) as Message) : undefined;
  }
  fieldRulesCache.set(field, rules);
  return rules;
}

export function planOf(desc: DescMessage): MessagePlan {
  let plan = plans.get(desc);
  if (!plan) {
    plan = compilePlan(desc);
    plans.set(desc, plan);
  }
  return plan;
}

/** A message's own options: what the fast path needs of it (planOf also compiles every field's walk). */
export type MessageRules = Pick<MessagePlan, 'disabled' | 'requiredOneofs'>;

const messageRulesCache = new Map<DescMessage, MessageRules>();

/** `validate.disabled`/`ignored` and the required oneofs of a message, read once from its options. */
export function messageRulesOf(desc: DescMessage): MessageRules {
  let rules = messageRulesCache.get(desc);
  if (rules) return rules;
  const table = tableRulesOf(desc);
  if (table) return table.rules as MessageRules;
  const {
    messageDisabled: messageDisabledOption,
    messageIgnored: messageIgnoredOption,
    oneofRequired: oneofRequiredOption,
  } = validateOptions();
  const { getOption, hasOption } = protobuf();
  const disabled =
    (hasOption(desc, messageDisabledOption) && getOption(desc, messageDisabledOption) === true) ||
    (messageIgnoredOption !== undefined &&
      hasOption(desc, messageIgnoredOption) &&
      getOption(desc, messageIgnoredOption) === true);
  rules = { disabled, requiredOneofs: [] };
  if (!disabled) {
    for (const oneof of desc.oneofs) {
      if (hasOption(oneof, oneofRequiredOption) && getOption(oneof, oneofRequiredOption) === true) {
        rules.requiredOneofs.push({
          name: oneof.name,
          localName: oneof.localName,
          fieldNames: oneof.fields.map((f) => f.name),
        });
      }
    }
  }
  messageRulesCache.set(desc, rules);
  return rules;
}

function compilePlan(desc: DescMessage): MessagePlan {
  const { disabled, requiredOneofs } = messageRulesOf(desc);
  const plan: MessagePlan = { disabled, requiredOneofs, visits: [], hasOwnRules: false };
  if (disabled) return plan;
  for (const field of desc.fields) {
    const rules = fieldRuleFields(field);
    const semantic = semanticOf(field);
    const visit = compileFieldVisit(field, rules, semantic);
    if (visit) plan.visits.push(visit);
    if (rules || semantic) plan.hasOwnRules = true;
  }
  plan.semantic = messageSemanticOf(desc.typeName);
  if (plan.requiredOneofs.length > 0 || plan.semantic) plan.hasOwnRules = true;
  return plan;
}

// ------------------------------------------------------------------ does a subtree need walking?

const walkNeeded = new Map<DescMessage, boolean>();
const walkNeededInProgress = new Set<DescMessage>();

/** Well-known types whose contents never carry rules (Struct, Duration's own fields…). */
function isOpaqueWellKnown(desc: DescMessage): boolean {
  return desc.typeName.startsWith('google.protobuf.') && desc.typeName !== 'google.protobuf.Any';
}

function needsWalk(desc: DescMessage): boolean {
  const known = walkNeeded.get(desc);
  if (known !== undefined) return known;
  // A message reached again while deciding is assumed to need walking: safe, and cycles are rare.
  if (walkNeededInProgress.has(desc)) return true;
  walkNeededInProgress.add(desc);
  let result = false;
  const plan = planOf(desc);
  if (!plan.disabled) {
    result = plan.hasOwnRules;
    for (const field of desc.fields) {
      if (result) break;
      const child = field.message;
      if (!child) continue;
      if (child.typeName === 'google.protobuf.Any') result = true;
      else if (!isOpaqueWellKnown(child)) result = needsWalk(child);
    }
  }
  walkNeededInProgress.delete(desc);
  walkNeeded.set(desc, result);
  return result;
}

// ------------------------------------------------------------------ walking

function walkMessage(desc: DescMessage, message: Message, walker: Walker): void {
  const plan = planOf(desc);
  if (plan.disabled) return;
  const record = message as unknown as MessageRecord;
  for (const oneof of plan.requiredOneofs) {
    if ((record[oneof.localName] as { case?: string }).case === undefined) {
      walker.reportAt(oneof.name, `one of ${oneof.fieldNames.join(', ')} must be set`);
    }
  }
  for (const visit of plan.visits) visit(record, walker);
  plan.semantic?.(record, walker);
}

/**
 * Issues of small Any payloads by type and bytes, relative to the Any. The
 * same per-route config (e.g. "ext_authz disabled") recurs on thousands of
 * routes; checking it once saves decoding it again for each.
 */
const anyIssueCache = new Map<string, ValidationIssue[]>();
const anyCacheMaxBytes = 512;
const anyCacheMaxEntries = 4096;

function walkAny(any: { typeUrl: string; value: Uint8Array }, walker: Walker): void {
  const payload = envoyRegistry.getMessage(typeNameOfUrl(any.typeUrl));
  if (!payload) {
    walker.reportAt('@type', `unknown type "${any.typeUrl}"`);
    return;
  }
  if (!needsWalk(payload)) return;
  if (any.value.length > anyCacheMaxBytes) {
    walkMessage(payload, protobuf().fromBinary(payload, any.value, { readUnknownFields: false }), walker);
    return;
  }
  const key = `${any.typeUrl}\n${Buffer.from(any.value.buffer, any.value.byteOffset, any.value.length).toString('latin1')}`;
  let relative = anyIssueCache.get(key);
  if (!relative) {
    const inner = new Walker();
    walkMessage(payload, protobuf().fromBinary(payload, any.value, { readUnknownFields: false }), inner);
    relative = inner.issues;
    if (anyIssueCache.size >= anyCacheMaxEntries) anyIssueCache.clear();
    anyIssueCache.set(key, relative);
  }
  if (relative.length === 0) return;
  const base = jsonPointer(...walker.segments);
  for (const issue of relative) walker.issues.push({ path: base + issue.path, message: issue.message });
}

/** The recursion into a message value that follows its own checks (if any). */
function messageDescent(desc: DescMessage): ValueCheck | undefined {
  if (desc.typeName === 'google.protobuf.Any') {
    return (v, w) => walkAny(v as { typeUrl: string; value: Uint8Array }, w);
  }
  if (isOpaqueWellKnown(desc)) return undefined;
  return (v, w) => {
    if (needsWalk(desc)) walkMessage(desc, v as Message, w);
  };
}

function typeCaseOf(rules: RuleFields | undefined): string | undefined {
  if (!rules) return undefined;
  return Object.keys(rules).find((k) => k !== 'message');
}

function sequence(...checks: Array<ValueCheck | undefined>): ValueCheck | undefined {
  const present = checks.filter((c): c is ValueCheck => c !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return (v, w) => {
    for (const check of present) check(v, w);
  };
}

/**
 * The checks for one value of a field's element type, given the FieldRules
 * that apply to it (the field's own, or `items`/`keys`/`values`).
 */
export function compileValueCheck(
  rules: RuleFields | undefined,
  type: ValueType,
  semantic: ValueCheck | undefined,
  options: { unboxedWrapper: boolean; descend?: boolean },
): ValueCheck | undefined {
  const typeCase = typeCaseOf(rules);
  const typeRules = typeCase && rules ? (ruleFields(rules[typeCase] as Message) as RuleFields) : {};
  if (type.kind !== 'message') {
    return sequence(typeCase ? compileTypeRules(typeCase, typeRules, type) : undefined, semantic);
  }
  const messageRules = rules?.message ? ruleFields(rules.message as Message) : {};
  if (messageRules.skip === true) return undefined;
  const desc = type.message;
  if (isWrapperDesc(desc)) {
    const inner = desc.fields[0]!;
    const innerType: ValueType = { kind: 'scalar', scalar: inner.scalar! };
    const check = typeCase ? compileTypeRules(typeCase, typeRules, innerType) : undefined;
    if (!check) return undefined;
    if (options.unboxedWrapper) return check;
    return (v, w) => check((v as MessageRecord)[inner.localName], w);
  }
  return sequence(
    typeCase ? compileTypeRules(typeCase, typeRules, type) : undefined,
    semantic,
    options.descend === false ? undefined : messageDescent(desc),
  );
}

export function isRequired(rules: RuleFields | undefined): boolean {
  if (!rules) return false;
  if (rules.message && ruleFields(rules.message as Message).required === true) return true;
  for (const kind of ['any', 'duration', 'timestamp']) {
    if (rules[kind] && ruleFields(rules[kind] as Message).required === true) return true;
  }
  return false;
}

export function elementType(field: DescField): ValueType {
  if (field.message) return { kind: 'message', message: field.message };
  if (field.enum) return { kind: 'enum', enum: field.enum };
  return { kind: 'scalar', scalar: field.scalar! };
}

function compileFieldVisit(
  field: DescField,
  rules: RuleFields | undefined,
  semantic: ValueCheck | undefined,
): ((message: MessageRecord, walker: Walker) => void) | undefined {
  const read = fieldGetter(field);
  const segment = field.name;
  let check: ValueCheck | undefined;
  let required = false;

  switch (field.fieldKind) {
    case 'scalar':
    case 'enum':
      check = compileValueCheck(rules, elementType(field), semantic, { unboxedWrapper: false });
      break;
    case 'message':
      // A oneof member's rules apply only when it is the member set; the
      // oneof's own `validate.required` covers "none set".
      required = !field.oneof && isRequired(rules);
      check = compileValueCheck(rules, elementType(field), semantic, { unboxedWrapper: !field.oneof });
      break;
    case 'list':
      check = compileListCheck(field, rules);
      break;
    case 'map':
      check = compileMapCheck(field, rules);
      break;
  }
  if (!check && !required) return undefined;
  return (message, walker) => {
    const value = read(message);
    if (value === undefined) {
      if (required) walker.reportAt(segment, 'is required');
      return;
    }
    if (!check) return;
    walker.segments.push(segment);
    check(value, walker);
    walker.segments.pop();
  };
}

function fieldGetter(field: DescField): (message: MessageRecord) => unknown {
  const local = field.localName;
  if (field.oneof) {
    const oneofLocal = field.oneof.localName;
    return (m) => {
      const selected = m[oneofLocal] as { case?: string; value?: unknown };
      return selected.case === local ? selected.value : undefined;
    };
  }
  return (m) => m[local];
}

export function subRules(rules: RuleFields | undefined, kind: 'repeated' | 'map'): RuleFields {
  return rules?.[kind] ? ruleFields(rules[kind] as Message) : {};
}

function compileListCheck(
  field: DescField & { fieldKind: 'list' },
  rules: RuleFields | undefined,
): ValueCheck | undefined {
  const repeated = subRules(rules, 'repeated');
  const minItems = repeated.min_items === undefined ? undefined : Number(repeated.min_items);
  const maxItems = repeated.max_items === undefined ? undefined : Number(repeated.max_items);
  const unique = repeated.unique === true;
  const ignoreEmpty = repeated.ignore_empty === true;
  const items = repeated.items ? ruleFields(repeated.items as Message) : undefined;
  const itemCheck = compileValueCheck(items, elementType(field), undefined, { unboxedWrapper: false });
  if (minItems === undefined && maxItems === undefined && !unique && !itemCheck) return undefined;
  return (value, w) => {
    const list = value as unknown[];
    if (ignoreEmpty && list.length === 0) return;
    if (minItems !== undefined && list.length < minItems) {
      w.report(
        minItems === 1
          ? 'must have at least one item'
          : `must have at least ${minItems} items, got ${list.length}`,
      );
    }
    if (maxItems !== undefined && list.length > maxItems)
      w.report(`must have at most ${maxItems} items, got ${list.length}`);
    if (unique) {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        const key = String(item);
        if (seen.has(key)) w.reportAt(i, `duplicates an earlier item (${key}); items must be unique`);
        seen.add(key);
      });
    }
    if (itemCheck) {
      for (let i = 0; i < list.length; i++) {
        w.segments.push(i);
        itemCheck(list[i], w);
        w.segments.pop();
      }
    }
  };
}

/** Map keys arrive as object keys (strings); rules compare them as their declared type. */
function mapKeyDecoder(type: ScalarType): (key: string) => unknown {
  switch (type) {
    case ScalarType.STRING:
      return (key) => key;
    case ScalarType.BOOL:
      return (key) => key === 'true';
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return (key) => BigInt(key);
    default:
      return (key) => Number(key);
  }
}

function compileMapCheck(
  field: DescField & { fieldKind: 'map' },
  rules: RuleFields | undefined,
): ValueCheck | undefined {
  const map = subRules(rules, 'map');
  const minPairs = map.min_pairs === undefined ? undefined : Number(map.min_pairs);
  const maxPairs = map.max_pairs === undefined ? undefined : Number(map.max_pairs);
  const ignoreEmpty = map.ignore_empty === true;
  const keyCheck = compileValueCheck(
    map.keys ? ruleFields(map.keys as Message) : undefined,
    { kind: 'scalar', scalar: field.mapKey },
    undefined,
    { unboxedWrapper: false },
  );
  const valueCheck = compileValueCheck(
    map.values ? ruleFields(map.values as Message) : undefined,
    elementType(field),
    undefined,
    { unboxedWrapper: false },
  );
  if (minPairs === undefined && maxPairs === undefined && !keyCheck && !valueCheck) return undefined;
  const mapKeyValue = mapKeyDecoder(field.mapKey);
  return (value, w) => {
    const entries = Object.entries(value as Record<string, unknown>);
    if (ignoreEmpty && entries.length === 0) return;
    if (minPairs !== undefined && entries.length < minPairs)
      w.report(`must have at least ${minPairs} entries`);
    if (maxPairs !== undefined && entries.length > maxPairs)
      w.report(`must have at most ${maxPairs} entries`);
    for (const [key, item] of entries) {
      w.segments.push(key);
      keyCheck?.(mapKeyValue(key), w);
      valueCheck?.(item, w);
      w.segments.pop();
    }
  };
}
