import { pointerSegment, unknownFieldProblems } from '@attache/core';
import type { RatelimitDiagnosticCode } from './codes.js';
import { headerToken } from './header-token.js';
import { type Json, RateLimitInterner } from './intern.js';

/**
 * Emissary Mapping `labels`: domain → label groups → actions. Two spellings:
 *
 * - getambassador.io/v3alpha1: each action is an object with one key,
 *   `source_cluster` / `destination_cluster` / `remote_address` (`{key: <same>}`),
 *   `request_headers` (`{key, header_name, omit_if_not_present?}`) or
 *   `generic_key` (`{key?, value}`);
 * - getambassador.io/v2 (and v1): a string (`source_cluster`,
 *   `destination_cluster`, `remote_address`, or any other string: a generic
 *   key with that value), `{<key>: {header, omit_if_not_present?}}` for a
 *   header, or `{generic_key: <value>}`. This is the conversion Emissary's API
 *   server applies (pkg/api/getambassador.io/v2/handwritten.conversion.go).
 *
 * Both become {@link LabelAction}s. Problems are reported per label group, which
 * is then dropped; the other groups and the rest of the Mapping stay.
 */
export type LabelAction =
  | { kind: 'source_cluster' }
  | { kind: 'destination_cluster' }
  | { kind: 'remote_address' }
  | { kind: 'request_headers'; key: string; headerName: string; skipIfAbsent?: boolean }
  | { kind: 'generic_key'; key: string; value: string };

export interface LabelGroup {
  /** The group's name (the one key of its object), e.g. `request_label_group`. */
  name: string;
  actions: LabelAction[];
  /** JSON pointer of the group in its resource, for diagnostics and explain. */
  path: string;
}

/** Label groups by domain, in the order written. */
export type LabelDomains = Record<string, LabelGroup[]>;

export interface LabelProblem {
  code: RatelimitDiagnosticCode;
  path: string;
  message: string;
}

export interface ParsedLabels {
  domains: LabelDomains;
  problems: LabelProblem[];
}

export type LabelDialect = 'v2' | 'v3alpha1';

/** Which spelling a resource uses: v2 and v1 resources use the v2 one. */
export function labelDialect(apiVersion: string): LabelDialect {
  return /^getambassador\.io\/v[12]$/.test(apiVersion) ? 'v2' : 'v3alpha1';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const tokenName = headerToken;
/** Pseudo-headers Envoy keeps for requests, which rate-limit actions can read. */
const requestPseudoHeaders = new Set([':authority', ':method', ':path', ':scheme', ':protocol']);

/** Why no request can carry this header (undefined: it can). */
export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty header name';
  if (name.startsWith(':')) {
    return requestPseudoHeaders.has(name.toLowerCase())
      ? undefined
      : `'${name}' is not a request pseudo-header (Envoy has ${[...requestPseudoHeaders].join(', ')})`;
  }
  if (!tokenName.test(name)) {
    const bad = [...name].find((c) => !tokenName.test(c)) ?? '';
    return `'${name}' is not an HTTP header name (${JSON.stringify(bad)} is not allowed in one; requests with it are refused before any filter runs)`;
  }
  return undefined;
}

const fixedKeyKinds = ['source_cluster', 'destination_cluster', 'remote_address'] as const;
const actionKinds = [...fixedKeyKinds, 'request_headers', 'generic_key'] as const;

class GroupProblem extends Error {
  constructor(
    readonly code: RatelimitDiagnosticCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

interface ActionContext {
  path: string;
  group: string;
  warn(problem: LabelProblem): void;
}

function nonEmptyString(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GroupProblem(
      'RATELIMIT_LABELS_INVALID',
      path,
      `${what} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  }
  return value;
}

function checkedHeader(name: string, path: string, group: string): string {
  const problem = headerNameProblem(name);
  if (problem) {
    throw new GroupProblem(
      'RATELIMIT_LABEL_HEADER_INVALID',
      path,
      `label group '${group}' reads header ${problem}, so it would never be sent; fix header_name (label group dropped)`,
    );
  }
  return name;
}

function unknownKeys(
  body: Record<string, unknown>,
  known: readonly string[],
  ctx: ActionContext,
  what: string,
): void {
  for (const problem of unknownFieldProblems(body, known, {
    code: 'RATELIMIT_FIELD_UNKNOWN',
    what,
    at: ctx.path,
  }))
    ctx.warn(problem);
}

function omitNotice(value: unknown, path: string, ctx: ActionContext): void {
  if (value === undefined) return;
  if (typeof value !== 'boolean') {
    throw new GroupProblem('RATELIMIT_LABELS_INVALID', path, 'omit_if_not_present must be true or false');
  }
  ctx.warn({
    code: 'RATELIMIT_OMIT_IF_NOT_PRESENT_NO_EFFECT',
    path,
    message: `omit_if_not_present has no effect (as in Emissary): without the header, label group '${ctx.group}' sends no descriptor; write skip_if_absent: true to send the group without this entry`,
  });
}

function v3Action(raw: unknown, ctx: ActionContext): LabelAction {
  if (!isRecord(raw) || Object.keys(raw).length !== 1) {
    throw new GroupProblem(
      'RATELIMIT_LABELS_INVALID',
      ctx.path,
      `a label action is an object with exactly one of ${actionKinds.join(', ')}, got ${JSON.stringify(raw)}${typeof raw === 'string' ? ` (the getambassador.io/v2 shorthand; in v3alpha1 write {generic_key: {value: ${JSON.stringify(raw)}}} or {${raw}: {key: ${raw}}})` : ''}`,
    );
  }
  const kind = Object.keys(raw)[0]!;
  const body = raw[kind];
  const path = `${ctx.path}/${pointerSegment(kind)}`;
  const inner: ActionContext = { ...ctx, path };
  if ((fixedKeyKinds as readonly string[]).includes(kind)) {
    if (body !== null && body !== undefined && !isRecord(body)) {
      throw new GroupProblem('RATELIMIT_LABELS_INVALID', path, `${kind} takes {key: ${kind}}`);
    }
    if (isRecord(body)) {
      unknownKeys(body, ['key'], inner, kind);
      if (body.key !== undefined && body.key !== kind) {
        ctx.warn({
          code: 'RATELIMIT_LABEL_KEY_FIXED',
          path: `${path}/key`,
          message: `${kind} always sends the key '${kind}'; key ${JSON.stringify(body.key)} is ignored`,
        });
      }
    }
    return { kind: kind as (typeof fixedKeyKinds)[number] };
  }
  if (kind === 'request_headers') {
    if (!isRecord(body)) {
      throw new GroupProblem('RATELIMIT_LABELS_INVALID', path, 'request_headers takes {key, header_name}');
    }
    unknownKeys(body, ['key', 'header_name', 'omit_if_not_present', 'skip_if_absent'], inner, kind);
    const key = nonEmptyString(body.key, `${path}/key`, 'request_headers.key');
    const headerName = checkedHeader(
      nonEmptyString(body.header_name, `${path}/header_name`, 'request_headers.header_name'),
      `${path}/header_name`,
      ctx.group,
    );
    omitNotice(body.omit_if_not_present, `${path}/omit_if_not_present`, ctx);
    if (body.skip_if_absent !== undefined && typeof body.skip_if_absent !== 'boolean') {
      throw new GroupProblem(
        'RATELIMIT_LABELS_INVALID',
        `${path}/skip_if_absent`,
        'skip_if_absent must be true or false',
      );
    }
    return body.skip_if_absent === true
      ? { kind: 'request_headers', key, headerName, skipIfAbsent: true }
      : { kind: 'request_headers', key, headerName };
  }
  if (kind === 'generic_key') {
    if (!isRecord(body)) {
      throw new GroupProblem('RATELIMIT_LABELS_INVALID', path, 'generic_key takes {value, key?}');
    }
    unknownKeys(body, ['key', 'value', 'v2Shorthand'], inner, kind);
    const value = nonEmptyString(body.value, `${path}/value`, 'generic_key.value');
    const key =
      body.key === undefined ? 'generic_key' : nonEmptyString(body.key, `${path}/key`, 'generic_key.key');
    return { kind: 'generic_key', key, value };
  }
  throw new GroupProblem(
    'RATELIMIT_LABEL_ACTION_UNKNOWN',
    path,
    `'${kind}' is not a label action (Attaché and Emissary know ${actionKinds.join(', ')}); label group '${ctx.group}' dropped`,
  );
}

function v2Action(raw: unknown, ctx: ActionContext): LabelAction {
  if (typeof raw === 'string') {
    if (raw.length === 0) throw new GroupProblem('RATELIMIT_LABELS_INVALID', ctx.path, 'an empty label');
    if ((fixedKeyKinds as readonly string[]).includes(raw)) {
      return { kind: raw as (typeof fixedKeyKinds)[number] };
    }
    return { kind: 'generic_key', key: 'generic_key', value: raw };
  }
  if (isRecord(raw) && typeof raw.generic_key === 'string') {
    unknownKeys(raw, ['generic_key', 'v3Key'], ctx, 'a generic label');
    const value = nonEmptyString(raw.generic_key, `${ctx.path}/generic_key`, 'generic_key');
    const key =
      raw.v3Key === undefined ? 'generic_key' : nonEmptyString(raw.v3Key, `${ctx.path}/v3Key`, 'v3Key');
    return { kind: 'generic_key', key, value };
  }
  if (isRecord(raw) && Object.keys(raw).length === 1) {
    const key = Object.keys(raw)[0]!;
    const body = raw[key];
    const path = `${ctx.path}/${pointerSegment(key)}`;
    if (isRecord(body) && 'header' in body) {
      unknownKeys(body, ['header', 'omit_if_not_present'], { ...ctx, path }, `header label '${key}'`);
      const headerName = checkedHeader(
        nonEmptyString(body.header, `${path}/header`, 'header'),
        `${path}/header`,
        ctx.group,
      );
      omitNotice(body.omit_if_not_present, `${path}/omit_if_not_present`, ctx);
      return { kind: 'request_headers', key, headerName };
    }
    // A v3alpha1-style action in a v2 resource: read it as v3alpha1 wrote it.
    if ((actionKinds as readonly string[]).includes(key)) return v3Action(raw, ctx);
  }
  throw new GroupProblem(
    'RATELIMIT_LABELS_INVALID',
    ctx.path,
    `a getambassador.io/v2 label is a string, {<key>: {header: <name>}} or {generic_key: <value>}, got ${JSON.stringify(raw)}`,
  );
}

/**
 * A list of actions (a label group's value, or a Module's `defaults`). Throws a
 * GroupProblem for the first problem that makes the list unusable.
 */
function parseActions(
  raw: unknown,
  dialect: LabelDialect,
  path: string,
  group: string,
  warn: (p: LabelProblem) => void,
): LabelAction[] {
  if (!Array.isArray(raw)) {
    throw new GroupProblem(
      'RATELIMIT_LABELS_INVALID',
      path,
      `label group '${group}' must hold a list of actions`,
    );
  }
  if (raw.length === 0) {
    throw new GroupProblem(
      'RATELIMIT_LABELS_INVALID',
      path,
      `label group '${group}' has no actions (Envoy needs at least one); dropped`,
    );
  }
  return raw.map((item, i) => {
    const ctx: ActionContext = { path: `${path}/${i}`, group, warn };
    return dialect === 'v2' ? v2Action(item, ctx) : v3Action(item, ctx);
  });
}

/** A JSON pointer segment that needs no escaping (no regex: this runs for every label group). */
function plainSegment(s: string): boolean {
  return !s.includes('~') && !s.includes('/');
}

/** What the quick reader makes of a valid action: LabelActions, or interned Envoy JSON. */
interface QuickActions<T> {
  fixed(kind: 'source_cluster' | 'destination_cluster' | 'remote_address'): T;
  /** Undefined when `headerName` is no header token (the full parser reports it). */
  header(key: string, headerName: string, skipIfAbsent: boolean): T | undefined;
  generic(key: string, value: string): T;
}

const asLabelActions: QuickActions<LabelAction> = {
  fixed: (kind) => ({ kind }),
  header: (key, headerName, skipIfAbsent) =>
    !tokenName.test(headerName)
      ? undefined
      : skipIfAbsent
        ? { kind: 'request_headers', key, headerName, skipIfAbsent: true }
        : { kind: 'request_headers', key, headerName },
  generic: (key, value) => ({ kind: 'generic_key', key, value }),
};

/**
 * One v3alpha1 action in its usual, valid shape, made by `make`, or undefined
 * for anything the full parser must judge.
 */
function quickV3Action<T>(raw: unknown, make: QuickActions<T>): T | undefined {
  if (!isRecord(raw)) return undefined;
  let kind: string | undefined;
  for (const k in raw) {
    if (kind !== undefined) return undefined;
    kind = k;
  }
  const body = kind === undefined ? undefined : raw[kind];
  switch (kind) {
    case 'source_cluster':
    case 'destination_cluster':
    case 'remote_address': {
      if (body === null || body === undefined) return make.fixed(kind);
      if (!isRecord(body)) return undefined;
      for (const k in body) if (k !== 'key' || body.key !== kind) return undefined;
      return make.fixed(kind);
    }
    case 'generic_key': {
      if (!isRecord(body)) return undefined;
      for (const k in body) if (k !== 'key' && k !== 'value') return undefined;
      const { key, value } = body;
      if (typeof value !== 'string' || value === '') return undefined;
      if (key === undefined) return make.generic('generic_key', value);
      return typeof key === 'string' && key !== '' ? make.generic(key, value) : undefined;
    }
    case 'request_headers': {
      if (!isRecord(body)) return undefined;
      for (const k in body)
        if (k !== 'key' && k !== 'header_name' && k !== 'skip_if_absent') return undefined;
      const { key, header_name: headerName, skip_if_absent: skip } = body;
      if (typeof key !== 'string' || key === '' || typeof headerName !== 'string') return undefined;
      if (skip !== undefined && typeof skip !== 'boolean') return undefined;
      return make.header(key, headerName, skip === true);
    }
    default:
      return undefined;
  }
}

/**
 * The usual case without building a string it does not need: valid
 * v3alpha1 labels with nothing to report. Undefined sends the labels to the
 * full parser, which names every problem on its JSON pointer.
 */
function quickParseLabels(raw: Record<string, unknown>, basePath: string): LabelDomains | undefined {
  const domains: LabelDomains = {};
  for (const domain in raw) {
    const groups = raw[domain];
    if (!Array.isArray(groups) || !plainSegment(domain)) return undefined;
    const out: LabelGroup[] = [];
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      if (!isRecord(group)) return undefined;
      let name: string | undefined;
      for (const k in group) {
        if (name !== undefined) return undefined;
        name = k;
      }
      if (name === undefined || !plainSegment(name)) return undefined;
      const list = group[name];
      if (!Array.isArray(list) || list.length === 0) return undefined;
      const actions: LabelAction[] = [];
      for (const item of list) {
        const action = quickV3Action(item, asLabelActions);
        if (!action) return undefined;
        actions.push(action);
      }
      out.push({ name, actions, path: `${basePath}/${domain}/${i}/${name}` });
    }
    domains[domain] = out;
  }
  return domains;
}

/**
 * For the compile's hot path: usual, valid v3alpha1 labels straight to the
 * `rate_limits` of `domain` (each group's actions after `prefix`, the Module's
 * defaults), without the LabelGroup objects and JSON pointers parseLabels
 * builds for diagnostics. Undefined when anything is unusual: then parseLabels
 * judges the labels and reports. `domains` lists the label domains written.
 * Entries come from `intern`: equal ones are one shared object.
 */
export function quickRateLimits(
  raw: Record<string, unknown>,
  domain: string,
  prefix: readonly Record<string, unknown>[],
  intern: RateLimitInterner = new RateLimitInterner(),
): { limits: Json[] | undefined; domains: string[] } | undefined {
  let limits: Json[] | undefined;
  const domains: string[] = [];
  for (const d in raw) {
    const groups = raw[d];
    if (!Array.isArray(groups) || !plainSegment(d)) return undefined;
    domains.push(d);
    const mine = d === domain;
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      if (!isRecord(group)) return undefined;
      let name: string | undefined;
      for (const k in group) {
        if (name !== undefined) return undefined;
        name = k;
      }
      if (name === undefined || !plainSegment(name)) return undefined;
      const list = group[name];
      if (!Array.isArray(list) || list.length === 0) return undefined;
      // Other domains' actions are checked the same way (and interned, which costs nothing more).
      let node = intern.root(prefix);
      for (let j = 0; j < list.length; j++) {
        const action = quickV3Action(list[j], intern);
        if (!action) return undefined;
        if (mine) node = intern.after(node, action);
      }
      if (!mine) continue;
      if (!limits) limits = [];
      limits.push(intern.entryAt(node));
    }
  }
  return { limits, domains };
}

/** Parses Mapping `labels` (at `basePath`, normally '/spec/labels'). */
export function parseLabels(
  raw: unknown,
  dialect: LabelDialect,
  basePath = '/spec/labels',
  options: { quick?: boolean } = {},
): ParsedLabels {
  if (options.quick !== false && dialect === 'v3alpha1' && isRecord(raw)) {
    const quick = quickParseLabels(raw, basePath);
    if (quick) return { domains: quick, problems: [] };
  }
  const problems: LabelProblem[] = [];
  const domains: LabelDomains = {};
  if (raw === undefined || raw === null) return { domains, problems };
  if (!isRecord(raw)) {
    problems.push({
      code: 'RATELIMIT_LABELS_INVALID',
      path: basePath,
      message: 'labels must map a domain to a list of label groups, e.g. {ambassador: [{my-group: [...]}]}',
    });
    return { domains, problems };
  }
  for (const [domain, groups] of Object.entries(raw)) {
    const domainPath = `${basePath}/${pointerSegment(domain)}`;
    if (!Array.isArray(groups)) {
      problems.push({
        code: 'RATELIMIT_LABELS_INVALID',
        path: domainPath,
        message: `labels.${domain} must be a list of label groups, each {<group name>: [actions]}`,
      });
      continue;
    }
    const out: LabelGroup[] = [];
    groups.forEach((group, i) => {
      const groupPath = `${domainPath}/${i}`;
      if (!isRecord(group) || Object.keys(group).length !== 1) {
        problems.push({
          code: 'RATELIMIT_LABELS_INVALID',
          path: groupPath,
          message: `a label group is an object with exactly one key, its name ({<group name>: [actions]}), got ${JSON.stringify(group)}; dropped`,
        });
        return;
      }
      const name = Object.keys(group)[0]!;
      const path = `${groupPath}/${pointerSegment(name)}`;
      try {
        const actions = parseActions(group[name], dialect, path, name, (p) => problems.push(p));
        out.push({ name, actions, path });
      } catch (e) {
        if (!(e instanceof GroupProblem)) throw e;
        problems.push({ code: e.code, path: e.path, message: e.message });
      }
    });
    domains[domain] = out;
  }
  return { domains, problems };
}

/**
 * Module `default_labels`: `{<domain>: {defaults: [actions]}}`. Returns the
 * default actions by domain; a domain whose list is unusable is left out
 * (and reported).
 */
export function parseDefaultLabels(
  raw: unknown,
  dialect: LabelDialect,
  basePath = '/spec/config/default_labels',
): { defaults: Record<string, LabelAction[]>; problems: LabelProblem[] } {
  const problems: LabelProblem[] = [];
  const defaults: Record<string, LabelAction[]> = {};
  if (raw === undefined || raw === null) return { defaults, problems };
  if (!isRecord(raw)) {
    problems.push({
      code: 'RATELIMIT_LABELS_INVALID',
      path: basePath,
      message: 'default_labels must map a domain to {defaults: [actions]}',
    });
    return { defaults, problems };
  }
  for (const [domain, body] of Object.entries(raw)) {
    const path = `${basePath}/${pointerSegment(domain)}`;
    if (!isRecord(body) || !('defaults' in body)) {
      problems.push({
        code: 'RATELIMIT_LABELS_INVALID',
        path,
        message: `default_labels.${domain} must be {defaults: [actions]}`,
      });
      continue;
    }
    try {
      defaults[domain] = parseActions(body.defaults, dialect, `${path}/defaults`, 'defaults', (p) =>
        problems.push(p),
      );
    } catch (e) {
      if (!(e instanceof GroupProblem)) throw e;
      problems.push({ code: e.code, path: e.path, message: e.message });
    }
  }
  return { defaults, problems };
}
