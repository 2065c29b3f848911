import { isPlainObject } from '@attache/core';
import type { DescEnum, DescField, DescMessage, Message } from '@bufbuild/protobuf';
import { fastMessageOfTypeUrl } from './fast-descriptors.js';
import { messageSemanticJsonOf, messageSemanticOf, semanticOf } from './field-semantics.js';
import { inDomainScope } from './kept-domains.js';
import { isWrapperDesc, ScalarType } from './protobuf-runtime.js';
import { type RuleFields, ruleFields } from './validate-checks.js';
import {
  compileValueCheck,
  elementType,
  fieldRuleFields,
  isRequired,
  messageRulesOf,
  subRules,
} from './validate-rules.js';
import { type ValueCheck, Walker } from './validate-walker.js';

/**
 * A fast acceptance test over the proto3-JSON itself: strict decoding and the
 * PGV rules in one walk, without building messages or packing Any payloads.
 *
 * It only ever says "certainly valid" (true) or "not sure" (false). On false
 * the authoritative path — @bufbuild/protobuf's fromJson, then the rules over
 * the decoded message — runs and names the issues. So being stricter than
 * needed here costs time, never correctness; accepting what the authoritative
 * path rejects would be a bug (the differential tests guard against it).
 * Shapes it does not handle (Timestamp, numeric strings for floats,
 * `message.skip`, messages with load-time semantics) simply answer false.
 */
export function fastAccepts(desc: DescMessage, json: Record<string, unknown>, hasTypeKey = false): boolean {
  return acceptObject(desc, json, hasTypeKey);
}

/**
 * Objects already accepted as a message, while a memo is active: lowering
 * shares one JSON object (a route) between several resources, and that
 * object's verdict is the same everywhere. Only during `withAcceptedMemo`,
 * whose caller promises the JSON it validates is not mutated meanwhile.
 */
// A Map, not a WeakMap: it dies with the call, and Map lookups cost much less.
let acceptedMemo: AcceptedMemo | undefined;
/** The `kept` memo of the innermost withAcceptedMemo given one. */
let keptMemo: AcceptedMemo | undefined;
/** Counts the outermost withAcceptedMemo calls (each a new memo). */
let memoScope = 0;

/** Verdicts by JSON object: a Map for one call, or a WeakMap kept between compiles. */
export interface AcceptedMemo {
  get(json: object): unknown;
  set(json: object, verdict: unknown): unknown;
}

/**
 * Runs `fn` with fast verdicts on list items remembered by object identity (the JSON must not
 * change during `fn`). `kept` carries verdicts over from earlier calls: only for JSON objects
 * that are never mutated while `kept` lives (an incremental compiler's lowering memo).
 */
export function withAcceptedMemo<T>(fn: () => T, kept?: AcceptedMemo): T {
  const outer = acceptedMemo;
  const outerKept = keptMemo;
  acceptedMemo = kept ?? outer ?? new Map();
  keptMemo = kept ?? outerKept;
  // (A new one-shot memo: list item types start a new trial, memoizedMessageDecoder.)
  if (outer === undefined) memoScope++;
  try {
    // A kept memo is also where route tables' domain counts are kept (kept-domains.ts).
    return inDomainScope(keptMemo, fn);
  } finally {
    acceptedMemo = outer;
    keptMemo = outerKept;
  }
}

const INVALID: unique symbol = Symbol('invalid');
type Decoded = unknown | typeof INVALID;
type Decoder = (json: unknown) => Decoded;

// Rule checks report into a scratch walker: any report means "not sure".
const scratch = new Walker();
function passes(check: ValueCheck, value: unknown): boolean {
  check(value, scratch);
  if (scratch.issues.length === 0) return true;
  scratch.issues.length = 0;
  return false;
}

/** A field of a plan, under one of its names. (A class: one shape for every field, read by the thousand.) */
class FastField {
  constructor(
    readonly field: DescField,
    /** Bit of this field's oneof in a per-object mask (oneofs are few per message). */
    readonly oneofBit: number | undefined,
    /** Bit of this field among the plan's mustBePresent fields (0 when it is not one of them). */
    public requiredBit: number,
    public accept: (json: unknown) => boolean,
    /** What `accept` amounts to when it is a plain type test (acceptObject tests strings and bools inline). */
    public plain: PlainAccept | undefined,
    /**
     * What `accept` amounts to when it is a message of Envoy's own without value checks: its
     * plan, which acceptPlanned judges the value with directly (no closure call per object).
     */
    public plan: FastPlan | undefined,
    /**
     * On the entry of a field's JSON name (when it differs): its proto name, which must not be
     * there too — protobuf's JSON decoding refuses a field set twice.
     */
    readonly protoName: string | undefined,
  ) {}
}

/** How many mustBePresent fields a plan tracks in a bit mask (more are looked up by name). */
const maskedFields = 30;

interface FastPlan {
  byKey: Map<string, FastField>;
  /**
   * The keys of the last objects judged, by position, with their fields: objects made by the
   * same code have their keys in the same order, so the field of a key is found by comparing
   * it with the key seen at its position (interned strings: one pointer comparison) instead of
   * a Map lookup. Only ever holds what byKey gave for that key.
   */
  keysAt: string[];
  fieldsAt: FastField[];
  /** Fields whose absence (or null) breaks a rule: required messages, min_len on the default "", … */
  mustBePresent: DescField[];
  /** The requiredBit of every mustBePresent field, when there are at most maskedFields of them. */
  requiredMask: number;
  /** The oneofBit of each required oneof. */
  requiredOneofBits: number[];
  /** Shapes this path does not handle (e.g. `message.skip`): left to the authoritative path. */
  unsupported: boolean;
  /** Envoy's load-time checks of the message, over its JSON (envoy-semantics.ts). */
  semantic?: (json: Record<string, unknown>) => boolean;
}

const plans = new Map<DescMessage, FastPlan>();

function fastPlan(desc: DescMessage): FastPlan {
  let plan = plans.get(desc);
  if (plan) return plan;
  plan = {
    byKey: new Map(),
    keysAt: [],
    fieldsAt: [],
    mustBePresent: [],
    requiredMask: 0,
    requiredOneofBits: [],
    unsupported: false,
  };
  // Registered before compiling fields: recursive messages find it (compiled lazily on use).
  plans.set(desc, plan);
  // (The message's options only: planOf would compile the authoritative walk of every field too.)
  const messageRules = messageRulesOf(desc);
  const rulesOn = !messageRules.disabled;
  // A message with load-time semantics needs their JSON form too, or it is left to the authoritative path.
  plan.semantic = messageSemanticJsonOf(desc.typeName);
  plan.unsupported = messageSemanticOf(desc.typeName) !== undefined && plan.semantic === undefined;
  // Oneofs are tracked as bits of a 31-bit mask; a message with more is left to the authoritative path.
  if (desc.oneofs.length > 31) plan.unsupported = true;
  if (rulesOn) {
    desc.oneofs.forEach((oneof, i) => {
      if (messageRules.requiredOneofs.some((r) => r.name === oneof.name))
        plan!.requiredOneofBits.push(2 ** i);
    });
  }
  for (const field of desc.fields) {
    const rules = rulesOn ? fieldRuleFields(field) : undefined;
    // A field whose part in the plan is known without compiling it is compiled when first met
    // (most never are: a Cluster has ~60 fields, a lowered one sets ~6; compiling a message
    // field reads its type, and so makes its descriptor).
    const facts = factsBeforeCompiling(field, rules, rulesOn);
    const compiled = facts ? undefined : compileField(field, rules, rulesOn);
    const { mustBePresent, unsupported } = facts ?? compiled!;
    if (unsupported) plan.unsupported = true;
    const oneofBit = field.oneof ? 2 ** desc.oneofs.indexOf(field.oneof) : undefined;
    let requiredBit = 0;
    if (mustBePresent) {
      if (plan.mustBePresent.length < maskedFields) requiredBit = 1 << plan.mustBePresent.length;
      plan.mustBePresent.push(field);
    }
    const names = field.jsonName === field.name ? [field.name] : [field.name, field.jsonName];
    for (const name of names) {
      const protoName = name === field.name ? undefined : field.name;
      const fast = new FastField(
        field,
        oneofBit,
        requiredBit,
        notYet,
        compiled?.plain,
        compiled?.plan,
        protoName,
      );
      fast.accept = compiled ? compiled.accept : compileLater(fast, rules, rulesOn, facts!);
      plan.byKey.set(name, fast);
    }
  }
  plan.requiredMask = plan.mustBePresent.length <= maskedFields ? 2 ** plan.mustBePresent.length - 1 : -1;
  return plan;
}

const notYet = (): boolean => false;

interface FieldFacts {
  mustBePresent: boolean;
  unsupported: boolean;
}

const noFacts: FieldFacts = { mustBePresent: false, unsupported: false };

/**
 * What compileField will say of a field's place in its plan (mustBePresent, unsupported), where
 * that is known from its rules alone; undefined where it must be compiled to tell (a scalar or
 * enum with rules or a load-time check: whether its zero value passes them; lists and maps with
 * rules). A field without rules neither breaks a rule when absent nor is a shape left to the
 * authoritative path; a message field breaks one when absent exactly when its rules require it,
 * and is left to it when they skip it (compileField, absentBreaksRule).
 */
function factsBeforeCompiling(
  field: DescField,
  rules: RuleFields | undefined,
  rulesOn: boolean,
): FieldFacts | undefined {
  if (rules === undefined && (!rulesOn || ownSemanticOf(field) === undefined)) return noFacts;
  if (field.fieldKind !== 'message') return undefined;
  if (subRuleSkip(rules)) return { mustBePresent: false, unsupported: true };
  return { mustBePresent: !field.oneof && isRequired(rules), unsupported: false };
}

/**
 * The accept of a field that compiles the field's check when first called and puts it (and its
 * plain type test) in the field's place, once it has checked that compileField says of the
 * field what `facts` said when the plan was made (so the plan says the same of the message
 * before and after).
 */
function compileLater(
  fast: FastField,
  rules: RuleFields | undefined,
  rulesOn: boolean,
  facts: FieldFacts,
): (json: unknown) => boolean {
  return (json) => {
    const compiled = compileField(fast.field, rules, rulesOn);
    if (
      compiled.mustBePresent !== facts.mustBePresent ||
      (compiled.unsupported ?? false) !== facts.unsupported
    ) {
      throw new Error(
        `validate-fast: ${fast.field.parent.typeName}.${fast.field.name} compiled late is not what its plan said`,
      );
    }
    fast.accept = compiled.accept;
    if (compiled.plain) fast.plain = compiled.plain;
    if (compiled.plan) fast.plan = compiled.plan;
    return compiled.accept(json);
  };
}

/**
 * The load-time check of a scalar or enum field (envoy-semantics.ts), which could make its
 * absence (its zero value) fail. Undefined for other fields without reading their type
 * (semanticOf reads a message field's type to give Durations theirs): a message field's
 * absence breaks a rule only when the rules require it, and lists and maps take none.
 */
function ownSemanticOf(field: DescField): ValueCheck | undefined {
  return field.fieldKind === 'scalar' || field.fieldKind === 'enum' ? semanticOf(field) : undefined;
}

function acceptObject(desc: DescMessage, json: unknown, isAnyPayload: boolean): boolean {
  return acceptPlanned(fastPlan(desc), json, isAnyPayload);
}

/**
 * acceptObject for call sites that judge one message type again and again (a field's nested
 * message): its plan is looked up on first use only, not in the plans Map for every object.
 */
function plannedAccept(desc: DescMessage): (json: unknown) => boolean {
  let plan: FastPlan | undefined;
  return (json) => {
    if (plan === undefined) plan = fastPlan(desc);
    return acceptPlanned(plan, json, false);
  };
}

function acceptPlanned(plan: FastPlan, json: unknown, isAnyPayload: boolean): boolean {
  if (!isPlainObject(json)) return false;
  if (plan.unsupported) return false;
  let oneofsSeen = 0;
  // Present (non-null) mustBePresent fields, as bits: no lookup by name once the keys are read.
  let required = 0;
  const keysAt = plan.keysAt;
  let at = 0;
  for (const key in json) {
    if (isAnyPayload && key === '@type') continue;
    let fast: FastField;
    if (keysAt[at] === key) fast = plan.fieldsAt[at]!;
    else {
      const found = plan.byKey.get(key);
      if (!found) return false;
      fast = found;
      keysAt[at] = key;
      plan.fieldsAt[at] = fast;
    }
    at++;
    if (fast.protoName !== undefined && Object.hasOwn(json, fast.protoName)) return false;
    const value = json[key];
    if (value === null) continue;
    required |= fast.requiredBit;
    if (fast.oneofBit !== undefined) {
      if ((oneofsSeen & fast.oneofBit) !== 0) return false;
      oneofsSeen |= fast.oneofBit;
    }
    // Strings and bools tested here rather than through a closure call per field.
    const plain = fast.plain;
    if (plain === 'string') {
      if (typeof value !== 'string') return false;
    } else if (plain === 'boolean') {
      if (typeof value !== 'boolean') return false;
    } else if (plain === 'nonEmptyString') {
      if (typeof value !== 'string' || (value.length < 2 && !nonEmptyString(value))) return false;
    } else if (fast.plan !== undefined) {
      // (A nested message: the same as fast.accept, plannedAccept, without its closure.)
      if (!acceptPlanned(fast.plan, value, false)) return false;
    } else if (!fast.accept(value)) return false;
  }
  if (plan.requiredMask >= 0) {
    if (required !== plan.requiredMask) return false;
  } else {
    const mustBePresent = plan.mustBePresent;
    for (let i = 0; i < mustBePresent.length; i++) {
      if (fieldValue(json, mustBePresent[i]!) == null) return false;
    }
  }
  // A oneof's bit is set exactly when one of its members is present and not null.
  // (Indexed loops: this runs for every object validated, and an iterator allocates when not optimized away.)
  const requiredOneofBits = plan.requiredOneofBits;
  for (let i = 0; i < requiredOneofBits.length; i++) {
    if ((oneofsSeen & requiredOneofBits[i]!) === 0) return false;
  }
  return plan.semantic === undefined || plan.semantic(json);
}

function fieldValue(json: Record<string, unknown>, field: DescField): unknown {
  return json[field.name] ?? json[field.jsonName];
}

// ------------------------------------------------------------------ fields

interface CompiledField {
  accept: (json: unknown) => boolean;
  mustBePresent: boolean;
  unsupported?: boolean;
  plain?: PlainAccept;
  /** Set when `accept` is acceptPlanned of this plan (a message of Envoy's own without value checks). */
  plan?: FastPlan;
}

/** A field check that is a plain type test: a string, a bool, or a string of one character or more. */
type PlainAccept = 'string' | 'boolean' | 'nonEmptyString';

/**
 * What `min_len: 1` accepts as validate-checks.ts judges it: a string of two code units or more
 * (at least one code point), or of one that is not a high surrogate (codePointLength).
 */
function nonEmptyString(json: unknown): boolean {
  return (
    typeof json === 'string' &&
    (json.length > 1 || (json.length === 1 && (json.charCodeAt(0) & 0xfc00) !== 0xd800))
  );
}

/**
 * Whether a field is a string whose only rule is `min_len: 1` (the field has no semantic check
 * either): then it accepts what nonEmptyString accepts, so its value needs neither decoding nor
 * the rule's check.
 */
function onlyMinLenOne(type: ReturnType<typeof elementType>, rules: RuleFields | undefined): boolean {
  if (type.kind !== 'scalar' || type.scalar !== ScalarType.STRING || rules === undefined) return false;
  const keys = Object.keys(rules);
  if (keys.length !== 1 || keys[0] !== 'string') return false;
  const string = ruleFields(rules.string as Message);
  const stringKeys = Object.keys(string);
  return stringKeys.length === 1 && stringKeys[0] === 'min_len' && string.min_len === 1n;
}

/**
 * `judge`, remembering the last value it accepted when a string or a non-zero number, which is
 * accepted again at once: a field's verdict is a function of the value alone, and lowered configs
 * repeat values field by field (an lb_policy, a connect_timeout, a port on thousands of clusters).
 */
function rememberingLast(judge: (json: unknown) => boolean): (json: unknown) => boolean {
  let lastAccepted: unknown = INVALID;
  return (json) => {
    if (json === lastAccepted) return true;
    if (!judge(json)) return false;
    if (typeof json === 'string' || (typeof json === 'number' && json !== 0)) lastAccepted = json;
    return true;
  };
}

function compileField(field: DescField, rules: RuleFields | undefined, rulesOn: boolean): CompiledField {
  const semantic = rulesOn ? semanticOf(field) : undefined;
  if (subRuleSkip(rules)) return { accept: () => false, mustBePresent: false, unsupported: true };
  switch (field.fieldKind) {
    case 'scalar':
    case 'enum':
    case 'message': {
      const type = elementType(field);
      const decode = decoderFor(type);
      const check = compileValueCheck(rules, type, semantic, { unboxedWrapper: true, descend: false });
      const mustBePresent = !field.oneof && absentBreaksRule(field, rules, check);
      if (check && semantic === undefined && onlyMinLenOne(type, rules)) {
        // (A name, a cluster, an address: ~21,000 values at 10,000 Mappings, most of them unique.)
        return { accept: nonEmptyString, mustBePresent, plain: 'nonEmptyString' };
      }
      if (check) {
        const judge = (json: unknown) => {
          const value = decode(json);
          return value !== INVALID && passes(check, value);
        };
        return { accept: rememberingLast(judge), mustBePresent };
      }
      const unchecked = uncheckedAccept(type);
      if (!unchecked) return { accept: rememberingLast((json) => decode(json) !== INVALID), mustBePresent };
      if (unchecked.plain) return { accept: unchecked.accept, mustBePresent, plain: unchecked.plain };
      if (unchecked.message) {
        // (Compiled when first met, so the plan is made when plannedAccept would make it.)
        return { accept: unchecked.accept, mustBePresent, plan: fastPlan(unchecked.message) };
      }
      return { accept: unchecked.accept, mustBePresent };
    }
    case 'list':
      return compileList(field, rules);
    case 'map':
      return compileMap(field, rules);
  }
}

/**
 * The acceptance of a field without value checks, without going through its decoder where
 * the answer is plain: a string or a bool is accepted exactly when decodeScalar would decode
 * it, and a message of Envoy's own exactly when messageDecoder would (acceptObject).
 * Undefined: use the decoder.
 */
function uncheckedAccept(
  type: ReturnType<typeof elementType>,
): { accept: (json: unknown) => boolean; plain?: PlainAccept; message?: DescMessage } | undefined {
  if (type.kind === 'scalar') {
    if (type.scalar === ScalarType.STRING)
      return { accept: (json) => typeof json === 'string', plain: 'string' };
    if (type.scalar === ScalarType.BOOL)
      return { accept: (json) => typeof json === 'boolean', plain: 'boolean' };
    return undefined;
  }
  if (type.kind !== 'message') return undefined;
  const desc = type.message;
  if (isWrapperDesc(desc) || desc.typeName.startsWith('google.protobuf.')) return undefined;
  return { accept: plannedAccept(desc), message: desc };
}

/** `message.skip`: nested rules are not checked. Rare; left to the authoritative path. */
function subRuleSkip(rules: RuleFields | undefined): boolean {
  return rules?.message !== undefined && ruleFields(rules.message as Message).skip === true;
}

/** Whether an absent field (its default value) already fails the field's rules. */
function absentBreaksRule(
  field: DescField,
  rules: RuleFields | undefined,
  check: ValueCheck | undefined,
): boolean {
  if (field.fieldKind === 'message') return isRequired(rules);
  if (!check) return false;
  // proto3 `optional` scalars are unset when absent, and unset values are not checked.
  if (field.proto.proto3Optional) return false;
  const zero = field.fieldKind === 'enum' ? 0 : zeroScalar(field.scalar!);
  return !passes(check, zero);
}

function zeroScalar(type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return '';
    case ScalarType.BOOL:
      return false;
    case ScalarType.BYTES:
      return new Uint8Array(0);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 0n;
    default:
      return 0;
  }
}

/** Lists shorter than this are judged each time they are met, not remembered (see compileList). */
const memoizedListLength = 16;

function compileList(field: DescField & { fieldKind: 'list' }, rules: RuleFields | undefined): CompiledField {
  const repeated = subRules(rules, 'repeated');
  const minItems = repeated.min_items === undefined ? 0 : Number(repeated.min_items);
  const maxItems = repeated.max_items === undefined ? Number.POSITIVE_INFINITY : Number(repeated.max_items);
  const unique = repeated.unique === true;
  const ignoreEmpty = repeated.ignore_empty === true;
  const type = elementType(field);
  const decode = type.kind === 'message' ? memoizedMessageDecoder(type.message) : decoderFor(type);
  const itemRules = repeated.items ? fieldRulesFromMessage(repeated.items) : undefined;
  const itemCheck = compileValueCheck(itemRules, type, undefined, { unboxedWrapper: true, descend: false });
  if (itemRules && subRuleSkip(itemRules))
    return { accept: () => false, mustBePresent: false, unsupported: true };
  const acceptList = (json: unknown) => {
    if (!Array.isArray(json)) return false;
    if (json.length === 0 && ignoreEmpty) return true;
    if (json.length < minItems || json.length > maxItems) return false;
    const seen = unique ? new Set<string>() : undefined;
    for (let i = 0; i < json.length; i++) {
      const item: unknown = json[i];
      if (item === null) return false;
      const v = decode(item);
      if (v === INVALID) return false;
      if (itemCheck && !passes(itemCheck, v)) return false;
      if (seen) {
        const key = String(v);
        if (seen.has(key)) return false;
        seen.add(key);
      }
    }
    return true;
  };
  // Whole lists are shared too (a route table on several virtual hosts): remembered per field,
  // since rules differ. Only long ones: the short lists of a compile (a route's headers, a
  // cluster's endpoints: ~20,000 at 10,000 Mappings) are made one per owner and never met
  // again, and judging one again costs less than remembering them all.
  const accept = (json: unknown): boolean => {
    if (acceptedMemo === undefined || !Array.isArray(json) || json.length < memoizedListLength)
      return acceptList(json);
    if (acceptedMemo.get(json) === acceptList) return true;
    const ok = acceptList(json);
    if (ok) acceptedMemo.set(json, acceptList);
    return ok;
  };
  return { accept, mustBePresent: minItems > 0 && !ignoreEmpty };
}

function compileMap(field: DescField & { fieldKind: 'map' }, rules: RuleFields | undefined): CompiledField {
  const map = subRules(rules, 'map');
  const minPairs = map.min_pairs === undefined ? 0 : Number(map.min_pairs);
  const maxPairs = map.max_pairs === undefined ? Number.POSITIVE_INFINITY : Number(map.max_pairs);
  const ignoreEmpty = map.ignore_empty === true;
  const keyType = { kind: 'scalar', scalar: field.mapKey } as const;
  const keyRules = map.keys ? fieldRulesFromMessage(map.keys) : undefined;
  const valueRules = map.values ? fieldRulesFromMessage(map.values) : undefined;
  const keyCheck = compileValueCheck(keyRules, keyType, undefined, { unboxedWrapper: true, descend: false });
  const valueType = elementType(field);
  const decodeValue = decoderFor(valueType);
  const valueCheck = compileValueCheck(valueRules, valueType, undefined, {
    unboxedWrapper: true,
    descend: false,
  });
  const decodeKey = mapKeyDecoder(field.mapKey);
  if (valueRules && subRuleSkip(valueRules))
    return { accept: () => false, mustBePresent: false, unsupported: true };
  const accept = (json: unknown) => {
    if (!isPlainObject(json)) return false;
    let count = 0;
    for (const key in json) {
      count++;
      const k = decodeKey(key);
      if (k === INVALID || (keyCheck && !passes(keyCheck, k))) return false;
      const item = json[key];
      if (item === null) return false;
      const v = decodeValue(item);
      if (v === INVALID || (valueCheck && !passes(valueCheck, v))) return false;
    }
    if (count === 0 && ignoreEmpty) return true;
    return count >= minPairs && count <= maxPairs;
  };
  return { accept, mustBePresent: minPairs > 0 && !ignoreEmpty };
}

/** `items`/`keys`/`values` are FieldRules messages inside the rules. */
function fieldRulesFromMessage(rules: unknown): RuleFields {
  return ruleFields(rules as Message);
}

function mapKeyDecoder(type: ScalarType): (key: string) => Decoded {
  switch (type) {
    case ScalarType.STRING:
      return (key) => key;
    case ScalarType.BOOL:
      return (key) => (key === 'true' ? true : key === 'false' ? false : INVALID);
    default:
      return (key) => decodeScalar(type, key);
  }
}

// ------------------------------------------------------------------ values

const decoders = new Map<unknown, Decoder>();

function decoderFor(type: ReturnType<typeof elementType>): Decoder {
  const cacheKey = type.kind === 'scalar' ? type.scalar : type.kind === 'enum' ? type.enum : type.message;
  let decoder = decoders.get(cacheKey);
  if (!decoder) {
    decoder =
      type.kind === 'scalar'
        ? (json) => decodeScalar(type.scalar, json)
        : type.kind === 'enum'
          ? enumDecoder(type.enum)
          : messageDecoder(type.message);
    decoders.set(cacheKey, decoder);
  }
  return decoder;
}

const int32Min = -2147483648;
const int32Max = 2147483647;
const uint32Max = 4294967295;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const uint64Max = 2n ** 64n - 1n;
const floatMax = 3.4028234663852886e38;

function integer(json: unknown, min: number, max: number): Decoded {
  const n =
    typeof json === 'number'
      ? json
      : typeof json === 'string' && /^-?\d+$/.test(json)
        ? Number(json)
        : Number.NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : INVALID;
}

function bigInteger(json: unknown, min: bigint, max: bigint): Decoded {
  let n: bigint;
  if (typeof json === 'number' && Number.isSafeInteger(json)) n = BigInt(json);
  else if (typeof json === 'string' && /^-?\d+$/.test(json)) n = BigInt(json);
  else return INVALID;
  return n >= min && n <= max ? n : INVALID;
}

function decodeScalar(type: ScalarType, json: unknown): Decoded {
  switch (type) {
    case ScalarType.STRING:
      return typeof json === 'string' ? json : INVALID;
    case ScalarType.BOOL:
      return typeof json === 'boolean' ? json : INVALID;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return integer(json, int32Min, int32Max);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return integer(json, 0, uint32Max);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return bigInteger(json, int64Min, int64Max);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return bigInteger(json, 0n, uint64Max);
    case ScalarType.DOUBLE:
      return typeof json === 'number' && Number.isFinite(json) ? json : INVALID;
    case ScalarType.FLOAT:
      return typeof json === 'number' && Number.isFinite(json) && Math.abs(json) <= floatMax ? json : INVALID;
    case ScalarType.BYTES:
      return typeof json === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(json) && json.length % 4 === 0
        ? new Uint8Array(Buffer.from(json, 'base64'))
        : INVALID;
    default:
      return INVALID;
  }
}

function enumDecoder(desc: DescEnum): Decoder {
  const byName = new Map(desc.values.map((v) => [v.name, v.number] as const));
  return (json) => {
    if (typeof json === 'string') return byName.get(json) ?? INVALID;
    return integer(json, int32Min, int32Max);
  };
}

const maxDurationSeconds = 315576000000n;

/**
 * Durations decoded by text: configs repeat a few ("3s", "15s") thousands of times. The decoded
 * value is only read by checks, never changed. Bounded: emptied when full.
 */
const durations = new Map<string, Decoded>();
const maxKeptDurations = 1024;

function decodeDuration(json: unknown): Decoded {
  if (typeof json !== 'string') return INVALID;
  let decoded = durations.get(json);
  if (decoded === undefined) {
    decoded = parseDuration(json);
    if (durations.size >= maxKeptDurations) durations.clear();
    durations.set(json, decoded);
  }
  return decoded;
}

function parseDuration(json: string): Decoded {
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(json);
  if (!m) return INVALID;
  const sign = m[1] ? -1 : 1;
  const seconds = BigInt(m[2]!) * BigInt(sign);
  if (seconds > maxDurationSeconds || seconds < -maxDurationSeconds) return INVALID;
  const nanos = m[3] ? Number(m[3].padEnd(9, '0')) * sign : 0;
  return { seconds, nanos };
}

/**
 * In a one-shot memo (no kept one), a list item type is no longer remembered once this many of
 * its items were looked up and fewer than one in `rememberedHitShare` had been seen before.
 * (128, was 1,024: at 10 x 10,000 Mappings the types left out — routes, a cluster's localities
 * and lb endpoints, headers to add — each made ~900 lookups and insertions fewer, while the
 * types kept (header and query matchers) are met again at 47-77 % from the start.)
 */
const rememberedTrialLookups = 128;
const rememberedHitShare = 16;

/**
 * A list item decoder that asks `acceptedMemo` first: list items (routes, header matchers,
 * virtual hosts) are what lowering shares. In a one-shot compile (no kept memo: nothing carries
 * over to another), a type whose items are seldom met again is left out after a trial (a cluster's
 * lb endpoints, a route's headers to add: a lookup and an insertion each for nothing; at 10,000
 * Mappings also the routes, met again 1,418 times in 18,020), so the memo holds only items that
 * pay for their place. Only ever decides whether to look up: a verdict is the same either way.
 */
function memoizedMessageDecoder(desc: DescMessage): Decoder {
  const decode = decoderFor({ kind: 'message', message: desc });
  // A message of Envoy's own, which `decode` judges with its plan (messageDecoder): judged here
  // with that plan directly once no longer remembered (a route of a route list: no closure call).
  const own = !isWrapperDesc(desc) && !desc.typeName.startsWith('google.protobuf.');
  let plan: FastPlan | undefined;
  let scope = -1;
  let lookups = 0;
  let hits = 0;
  return (json) => {
    if (acceptedMemo === undefined || typeof json !== 'object' || json === null) return decode(json);
    if (keptMemo === undefined) {
      if (scope !== memoScope) {
        scope = memoScope;
        lookups = 0;
        hits = 0;
      }
      if (lookups >= rememberedTrialLookups && hits * rememberedHitShare < lookups) {
        if (!own) return decode(json);
        if (plan === undefined) plan = fastPlan(desc);
        return acceptPlanned(plan, json, false) ? json : INVALID;
      }
      lookups++;
    }
    if (acceptedMemo.get(json) === desc) {
      hits++;
      return json;
    }
    const decoded = decode(json);
    if (decoded !== INVALID && decoded === json) acceptedMemo.set(json, desc);
    return decoded;
  };
}

function messageDecoder(desc: DescMessage): Decoder {
  if (isWrapperDesc(desc)) {
    const inner = desc.fields[0]!;
    return (json) => decodeScalar(inner.scalar!, json);
  }
  switch (desc.typeName) {
    case 'google.protobuf.Any':
      return decodeAny;
    case 'google.protobuf.Duration':
      return decodeDuration;
    case 'google.protobuf.Struct':
      return (json) => (isPlainObject(json) ? json : INVALID);
    case 'google.protobuf.Value':
      return (json) => (json === undefined ? INVALID : json);
    case 'google.protobuf.ListValue':
      return (json) => (Array.isArray(json) ? json : INVALID);
    case 'google.protobuf.Empty':
      return (json) => (isPlainObject(json) && Object.keys(json).length === 0 ? json : INVALID);
  }
  // Timestamp, FieldMask and the rest of google.protobuf: left to the authoritative path.
  if (desc.typeName.startsWith('google.protobuf.')) return () => INVALID;
  // (acceptPlanned called here, not through plannedAccept's closure: one call less per object.)
  let plan: FastPlan | undefined;
  return (json) => {
    if (plan === undefined) plan = fastPlan(desc);
    return acceptPlanned(plan, json, false) ? json : INVALID;
  };
}

/** An Any accepted while a memo is active: what its value checks see. */
class AcceptedAny {
  constructor(readonly typeUrl: string) {}
}

function decodeAny(json: unknown): Decoded {
  if (!isPlainObject(json)) return INVALID;
  // Per-filter configs are shared between thousands of routes (a feature's "off" switch): judged once.
  const known = acceptedMemo?.get(json);
  if (known instanceof AcceptedAny) return known;
  const typeUrl = json['@type'];
  if (typeof typeUrl !== 'string') return INVALID;
  const payload = fastMessageOfTypeUrl(typeUrl);
  if (!payload) return INVALID;
  if (payload.typeName.startsWith('google.protobuf.')) {
    // Well-known payloads sit under "value" in JSON; rare in Envoy configs.
    return INVALID;
  }
  if (!acceptObject(payload, json, true)) return INVALID;
  const accepted = new AcceptedAny(typeUrl);
  acceptedMemo?.set(json, accepted);
  return accepted;
}
