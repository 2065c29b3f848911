import type { HttpRouteSource, PassContext, StoredResource } from '@attache/core';
import { re2ProgramSize } from '@attache/envoy-facts';
import { mappingErrorResponses } from '../build/error-responses-parse.js';
import { insertName, routeNamesOfKinds } from '../build/route-names.js';
import { isValidHostGlob } from '../hostglob.js';
import { nonAsciiHostnameMessage } from '../idn.js';
import { ExtKey, type HttpMapping, type HttpModule, noRouteNames } from '../model.js';
import { re2Error } from '../regex.js';
import { freshRouteSource } from '../route-source.js';
import { MappingSpec } from '../schemas/mapping.js';
import { serviceError } from '../service.js';
import { type Admitted, admitter } from './admit.js';
import {
  type FieldProblem,
  headerAdditionProblems,
  headerNameListProblems,
  lineBreakProblems,
} from './header-checks.js';
import { KeptIngest } from './kept-ingest.js';
import { checkMappingFields } from './mapping-checks.js';
import { type MappingFields, mappingFieldsOf, mappingRecord } from './mapping-fields.js';

/** Envoy's own limit when no Module sets regex_max_size (the http plugin always sets one). */
const envoyDefaultRegexMaxSize = 100;

/** Mapping fields that map header or query parameter names to values. */
const namedMapFields = new Set([
  'headers',
  'regex_headers',
  'query_parameters',
  'regex_query_parameters',
  'add_request_headers',
  'add_response_headers',
]);

/** Validates Mappings and publishes the normalised list in ir.ext['http.mappings']. */
export function ingestMappings(ctx: PassContext): void {
  const mappings: HttpMapping[] = [];
  // gRPC health checks are built by feature-grpc (an upstream contribution); without it they are left out.
  const grpcLoaded =
    ctx.fields('getambassador.io/Mapping').find((f) => f.path === '/spec/grpc')?.loaded === true;
  const regexLimit = ctx.ir.regexMaxProgramSize ?? envoyDefaultRegexMaxSize;
  // One authority object per hostname glob (10,000 Mappings name a handful of Hosts): authorities
  // are read, never edited, and live as long as the model.
  const globs = new Map<string, { glob: string }>();
  const globOf = (glob: string): { glob: string } => {
    let authority = globs.get(glob);
    if (authority === undefined) {
      authority = { glob };
      globs.set(glob, authority);
    }
    return authority;
  };
  // What is known of a spec.hostname, by its text: whether it is a glob, its HTTP_HOSTNAME_NOT_ASCII
  // message, its authority (10,000 Mappings name a handful of hostnames: each is judged once).
  const hostnames = new Map<string, HostnameFacts>();
  const hostnameFacts = (hostname: string): HostnameFacts => {
    let facts = hostnames.get(hostname);
    if (facts === undefined) {
      facts = {
        valid: isValidHostGlob(hostname),
        notAscii: nonAsciiHostnameMessage('spec.hostname', hostname),
        authority: globOf(hostname),
      };
      hostnames.set(hostname, facts);
    }
    return facts;
  };
  // Read, never edited, while this pass runs: looked up once rather than per Mapping.
  const module = ctx.ir.ext[ExtKey.module] as HttpModule | undefined;
  const keep = ctx.memo !== undefined;
  const ingestOne = (m: Admitted<MappingSpec>): HttpMapping | undefined => {
    // Every field read below, and by the passes after this one, is read from the one-shape record.
    // Admission fills it for a clean spec (nearly every one) in its own walk over the keys.
    const spec = (m.fields as MappingFields | undefined) ?? mappingFieldsOf(m.spec);
    // One list per Mapping: the checks push onto it and make nothing when there is no problem.
    const problems: FieldProblem[] = [];
    // Envoy refuses an empty header or query parameter name (and with it the whole route).
    // Found from the record; the problems are then listed in the order the spec has the fields.
    // A call only for a field that is set (most Mappings set one of these, if any).
    if (
      (spec.headers !== undefined && hasEmptyName(spec.headers)) ||
      (spec.regex_headers !== undefined && hasEmptyName(spec.regex_headers)) ||
      (spec.query_parameters !== undefined && hasEmptyName(spec.query_parameters)) ||
      (spec.regex_query_parameters !== undefined && hasEmptyName(spec.regex_query_parameters)) ||
      (spec.add_request_headers !== undefined && hasEmptyName(spec.add_request_headers)) ||
      (spec.add_response_headers !== undefined && hasEmptyName(spec.add_response_headers))
    ) {
      for (const field in m.spec) {
        if (!namedMapFields.has(field) || !Object.hasOwn(m.spec, field)) continue;
        if (hasEmptyName((m.spec as Record<string, unknown>)[field])) {
          problems.push({
            code: 'HTTP_SCHEMA_INVALID',
            path: `/spec/${field}/`,
            message: `spec.${field} has an entry with an empty name; name the header or query parameter`,
          });
        }
      }
    }
    // Each check only where its field is set (most Mappings set few): the checks do nothing for an
    // absent field, and a call per absent field is most of their cost over 10,000 Mappings run
    // unoptimised.
    if (spec.add_request_headers !== undefined)
      headerAdditionProblems(spec.add_request_headers, '/spec/add_request_headers', problems);
    if (spec.add_response_headers !== undefined)
      headerAdditionProblems(spec.add_response_headers, '/spec/add_response_headers', problems);
    if (spec.remove_request_headers !== undefined)
      headerNameListProblems(spec.remove_request_headers, '/spec/remove_request_headers', 'remove', problems);
    if (spec.remove_response_headers !== undefined)
      headerNameListProblems(
        spec.remove_response_headers,
        '/spec/remove_response_headers',
        'remove',
        problems,
      );
    if (spec.headers !== undefined) headerNameListProblems(spec.headers, '/spec/headers', 'match', problems);
    if (spec.regex_headers !== undefined)
      headerNameListProblems(spec.regex_headers, '/spec/regex_headers', 'match', problems);
    lineBreakProblems(spec, problems);
    if (spec.load_balancer?.header !== undefined) {
      problems.push(
        ...headerNameListProblems([spec.load_balancer.header], '/spec/load_balancer', 'match').map((p) => ({
          ...p,
          path: '/spec/load_balancer/header',
        })),
      );
    }
    spec.health_checks?.forEach((hc, i) => {
      const http = `/spec/health_checks/${i}/health_check/http`;
      headerAdditionProblems(
        hc.health_check.http?.add_request_headers,
        `${http}/add_request_headers`,
        problems,
      );
      headerNameListProblems(
        hc.health_check.http?.remove_request_headers,
        `${http}/remove_request_headers`,
        'remove',
        problems,
      );
      const kinds = ['http', 'grpc'].filter((k) => hc.health_check[k as 'http'] !== undefined);
      if (kinds.length !== 1) {
        problems.push({
          code: 'HTTP_SCHEMA_INVALID',
          path: `/spec/health_checks/${i}/health_check`,
          message: `spec.health_checks[${i}].health_check needs exactly one of http or grpc (it has ${kinds.join(' and ') || 'neither'})`,
        });
      }
      // Found on a real Envoy: both are refused with the whole cluster ("Invalid http expected
      // status range", "cluster must support HTTP/2 for gRPC healthchecking").
      hc.health_check.http?.expected_statuses?.forEach((range, j) => {
        if (range.min > range.max) {
          problems.push({
            code: 'HTTP_SCHEMA_INVALID',
            path: `${http}/expected_statuses/${j}`,
            message: `spec.health_checks[${i}].health_check.http.expected_statuses[${j}] is empty: min ${range.min} is above max ${range.max}; swap them`,
          });
        }
      });
      if (hc.health_check.grpc !== undefined && !grpcLoaded) {
        ctx.report({
          code: 'FIELD_NEEDS_PLUGIN',
          resource: m.ref,
          path: `/spec/health_checks/${i}/health_check/grpc`,
          message: `field health_checks[${i}].health_check.grpc needs the feature-grpc plugin, which is not loaded, so this health check is left out; add the plugin to attache.yaml (plugins: - id: feature-grpc) or use an http health check`,
        });
      }
      if (Object.hasOwn(hc.health_check.http?.add_request_headers ?? {}, '')) {
        problems.push({
          code: 'HTTP_SCHEMA_INVALID',
          path: `/spec/health_checks/${i}/health_check/http/add_request_headers/`,
          message: `spec.health_checks[${i}].health_check.http.add_request_headers has an entry with an empty name; name the header`,
        });
      }
    });
    if (spec.prefix_regex)
      regexProblems(spec.prefix, '/spec/prefix', 'spec.prefix (prefix_regex: true)', regexLimit, problems);
    else if (!spec.prefix.startsWith('/')) {
      problems.push({
        code: 'HTTP_SCHEMA_INVALID',
        path: '/spec/prefix',
        message: `spec.prefix '${spec.prefix}' must start with "/"`,
      });
    }
    if (spec.method && spec.method_regex)
      regexProblems(spec.method, '/spec/method', 'spec.method (method_regex: true)', regexLimit, problems);
    if (spec.regex_headers !== undefined)
      regexMapProblems(spec.regex_headers, 'regex_headers', regexLimit, problems);
    if (spec.regex_query_parameters !== undefined)
      regexMapProblems(spec.regex_query_parameters, 'regex_query_parameters', regexLimit, problems);
    if (spec.regex_rewrite)
      regexProblems(
        spec.regex_rewrite.pattern,
        '/spec/regex_rewrite/pattern',
        'spec.regex_rewrite.pattern',
        regexLimit,
        problems,
      );
    if (spec.regex_redirect)
      regexProblems(
        spec.regex_redirect.pattern,
        '/spec/regex_redirect/pattern',
        'spec.regex_redirect.pattern',
        regexLimit,
        problems,
      );

    let authority: HttpMapping['authority'];
    const authorityHeader = spec.headers?.[':authority'];
    if (authorityHeader !== undefined && spec.hostname === undefined && spec.host === undefined) {
      // Emissary treats an exact :authority header match as the Mapping's host (it then picks Hosts by it).
      authority = globOf(authorityHeader);
    }
    const hostname = spec.hostname === undefined ? undefined : hostnameFacts(spec.hostname);
    if (hostname !== undefined) {
      if (!hostname.valid) {
        problems.push({
          code: 'MAPPING_HOSTNAME_INVALID',
          path: '/spec/hostname',
          message: `spec.hostname '${spec.hostname}' is not a hostname glob; use a name, "*", "*.domain" or "name.*"`,
        });
      }
      authority = hostname.authority;
      if (spec.host !== undefined) {
        ctx.report({
          code: 'MAPPING_HOST_AND_HOSTNAME',
          resource: m.ref,
          path: '/spec/host',
          message: 'spec.host is ignored because spec.hostname is set; remove spec.host',
        });
      }
    } else if (spec.host !== undefined) {
      if (spec.host_regex) {
        regexProblems(spec.host, '/spec/host', 'spec.host (host_regex: true)', regexLimit, problems);
        authority = { regex: spec.host };
      } else if (!isValidHostGlob(spec.host)) {
        problems.push({
          code: 'MAPPING_HOSTNAME_INVALID',
          path: '/spec/host',
          message: `spec.host '${spec.host}' is not a hostname; use spec.hostname with a glob`,
        });
      } else {
        authority = globOf(spec.host);
      }
      ctx.report({
        code: 'MAPPING_HOST_DEPRECATED',
        resource: m.ref,
        path: '/spec/host',
        message: spec.host_regex
          ? 'spec.host with host_regex is deprecated; prefer spec.hostname (a glob) where a glob will do'
          : `spec.host is deprecated; write hostname: ${JSON.stringify(spec.host)}`,
      });
    }
    // Only whether it parses: resolve-upstreams parses it (once per distinct upstream).
    const serviceProblem = spec.host_redirect ? undefined : serviceError(spec.service);
    if (serviceProblem !== undefined) {
      problems.push({
        code: 'MAPPING_SERVICE_INVALID',
        path: '/spec/service',
        message: `spec.service: ${serviceProblem}`,
      });
    }
    if (spec.redirect_response_code !== undefined && !redirectCodes.has(spec.redirect_response_code)) {
      problems.push({
        code: 'HTTP_SCHEMA_INVALID',
        path: '/spec/redirect_response_code',
        message: 'spec.redirect_response_code must be 301, 302, 303, 307 or 308',
      });
    }
    const lb = spec.load_balancer;
    if (lb && (lb.policy === 'ring_hash' || lb.policy === 'maglev')) {
      const keys = [lb.cookie, lb.header, lb.source_ip].filter((k) => k !== undefined && k !== false).length;
      if (keys !== 1) {
        problems.push({
          code: 'MAPPING_HASH_KEY_MISSING',
          path: '/spec/load_balancer',
          message: `load_balancer policy ${lb.policy} needs exactly one of cookie, header or source_ip; add one`,
        });
      }
    }
    checkMappingFields(ctx, m.ref, spec, module, problems, hostname);
    if (problems.length > 0) {
      for (const p of problems) ctx.report({ ...p, resource: m.ref });
      return undefined;
    }
    if (spec.rewrite !== undefined && spec.regex_rewrite) {
      ctx.report({
        code: 'MAPPING_REWRITE_OVERRIDDEN',
        resource: m.ref,
        path: '/spec/rewrite',
        message: 'spec.rewrite is ignored because spec.regex_rewrite is set; remove one of them',
      });
    }
    if (spec.dns_type !== undefined && spec.dns_type !== 'strict_dns' && spec.dns_type !== 'logical_dns') {
      ctx.report({
        code: 'MAPPING_FIELD_IGNORED',
        resource: m.ref,
        path: '/spec/dns_type',
        message: `spec.dns_type '${spec.dns_type}' is not strict_dns or logical_dns; strict_dns is used`,
      });
    }
    if (spec.remove_response_headers !== undefined || spec.add_response_headers !== undefined)
      serverHeaderNoEffect(ctx, m.ref, spec, module);
    const errorResponses =
      spec.bypass_error_response_overrides || spec.error_response_overrides !== undefined
        ? mappingErrorResponses(ctx, m.ref, module as HttpModule, spec)
        : undefined;
    return new IngestedMapping(
      m.ref,
      m.id,
      m.labels,
      m.spec,
      spec,
      // An incremental compiler keeps this object: a list of its own, which the build replaces.
      keep ? [] : noRouteNames,
      authority,
      errorResponses || undefined,
    );
  };
  const { salt: admitSalt, one: admitOne } = admitter<MappingSpec>(
    ctx,
    'Mapping',
    MappingSpec,
    { prefix: 'MAPPING_PREFIX_MISSING', service: 'MAPPING_SERVICE_MISSING' },
    {},
    mappingRecord,
  );
  const ingestStored = (stored: StoredResource): HttpMapping | undefined => {
    const admitted = admitOne(stored);
    return admitted ? ingestOne(admitted) : undefined;
  };
  // Under an incremental compiler an unchanged Mapping is the HttpMapping object of the last
  // compile, admission and diagnostics included: what it depends on besides itself is in the salt
  // (admission's options, the Module, the regex limit, the loaded fields). Its routeNames are the
  // build's to replace (build-http gives a Mapping it builds again a fresh list).
  const memo = ctx.memo;
  const salt = memo
    ? JSON.stringify([
        admitSalt,
        ctx.ir.ext[ExtKey.module] ?? null,
        ctx.ir.regexMaxProgramSize ?? null,
        grpcLoaded,
        ctx.fields('getambassador.io/Mapping'),
      ])
    : '';
  const stored = ctx.resources('getambassador.io/Mapping');
  if (memo) {
    // Only the part of the list an edit changed is looked up (kept-ingest.ts).
    const kept = memo.reuse(keptIngestKey, '', () => new KeptIngest<HttpMapping>());
    ctx.ir.ext[ExtKey.mappings] = kept.run(ctx, memo, salt, stored, ingestStored);
    return;
  }
  for (let i = 0; i < stored.length; i++) {
    const mapping = ingestStored(stored[i]!);
    if (mapping) mappings.push(mapping);
  }
  ctx.ir.ext[ExtKey.mappings] = mappings;
}

const keptIngestKey = {};

/** What ingest knows of one spec.hostname text (see hostnameFacts in ingestMappings). */
interface HostnameFacts {
  /** isValidHostGlob of it. */
  readonly valid: boolean;
  /** nonAsciiHostnameMessage('spec.hostname', it). */
  readonly notAscii: string | undefined;
  /** Its authority (one object per glob). */
  readonly authority: { glob: string };
}

/** The authContextExtensions of every Mapping without any (read, never edited: frozen so that an edit throws). */
const noExtensions: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * An HttpMapping as ingest makes it. A plain compile publishes these objects themselves as the
 * HTTP model's route sources (build/http-model.ts): an HttpMapping has every field of one, under
 * the same name, and no route source is made per Mapping (~10,000 objects at 10 x 10,000, each
 * kept until the output is printed). Its JSON is that of the route source made for it under an
 * incremental compiler (the same keys in the same order), so that a model is written alike
 * either way (the incremental differential compares them as JSON). Every field is set in the
 * constructor, in one order: one shape for every Mapping.
 */
export class IngestedMapping implements HttpMapping {
  // Declared, not defined: a class field is defined (as undefined) before the constructor assigns
  // it, two writes per field of each of 10,000 Mappings, most of them run unoptimised.
  declare readonly ref: HttpMapping['ref'];
  declare readonly id: string;
  declare readonly labels: Record<string, string>;
  declare readonly spec: MappingSpec;
  declare readonly fields: MappingFields;
  declare readonly authority: HttpMapping['authority'];
  declare readonly errorResponses: HttpMapping['errorResponses'];

  constructor(
    ref: HttpMapping['ref'],
    id: string,
    labels: Record<string, string>,
    spec: MappingSpec,
    fields: MappingFields,
    routeNames: string[],
    authority: HttpMapping['authority'],
    errorResponses: HttpMapping['errorResponses'],
  ) {
    this.ref = ref;
    this.id = id;
    this.labels = labels;
    this.spec = spec;
    this.fields = fields;
    this.authority = authority;
    this.errorResponses = errorResponses;
    this.#routeNames = routeNames;
  }

  // Its name and namespace are its ref's (admit.ts: the namespace "default" where the resource
  // has none), and the three views of spec fields for feature plugins (which read the spec itself
  // today) are read from the record when asked: no slot for each in each of 10,000 Mappings kept
  // until printing.
  get name(): string {
    return this.ref.name;
  }

  get namespace(): string {
    return this.ref.namespace ?? 'default';
  }

  get bypassAuth(): boolean {
    return this.fields.bypass_auth === true;
  }

  /** A copy of spec.auth_context_extensions per read (none: one frozen empty object). */
  get authContextExtensions(): Record<string, string> {
    const extensions = this.fields.auth_context_extensions;
    return extensions === undefined ? noExtensions : { ...extensions };
  }

  get rateLimitLabels(): unknown {
    return this.fields.labels;
  }

  /**
   * The route names: a list (ingest's, the build's, or one made when first read), or, until
   * asked for, which of them a plain compile's build made (RouteKind bits). One slot for both:
   * one field less to define and keep in each of 10,000 Mappings.
   */
  #routeNames: string[] | number;

  get routeNames(): string[] {
    const names = this.#routeNames;
    if (typeof names !== 'number') return names;
    const made = routeNamesOfKinds(this.id, names);
    this.#routeNames = made;
    return made;
  }

  set routeNames(names: string[]) {
    this.#routeNames = names;
  }

  /**
   * Adds route names by kind (RouteKind bits) rather than as a list: a plain compile's build
   * names the routes of 10,000 Mappings, and feature plugins read the names of the few whose
   * fields they implement, so the list is made when first read (no list per Mapping, kept until
   * printing). Names already made into a list, or set as one, are added to it.
   */
  addRouteKinds(kinds: number): void {
    const names = this.#routeNames;
    if (typeof names === 'number') {
      this.#routeNames = names | kinds;
      return;
    }
    if (names === noRouteNames) {
      this.#routeNames = kinds;
      return;
    }
    const made = routeNamesOfKinds(this.id, kinds);
    for (let i = 0; i < made.length; i++) insertName(names, made[i]!);
  }

  /** What a route source of this Mapping is written as (http-model.ts, routeSourceOf). */
  toJSON(): HttpRouteSource {
    return freshRouteSource(this);
  }
}

/** Whether a map of names (headers, query parameters) has an entry named "". */
function hasEmptyName(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, '');
}

const redirectCodes = new Set([301, 302, 303, 307, 308]);

/** regexProblems for each value of a map of names to regexes (`spec.<field>.<name>`). */
function regexMapProblems(
  regexes: Record<string, string> | undefined,
  field: string,
  limit: number,
  problems: FieldProblem[],
): void {
  for (const name in regexes) {
    if (!Object.hasOwn(regexes, name)) continue;
    const value = regexes[name]!;
    // The field's path and name are written only for a regex with a problem (few are).
    if (regexFine(value, limit)) continue;
    regexProblems(value, `/spec/${field}/${name}`, `spec.${field}.${name}`, limit, problems);
  }
}

/** Whether regexProblems would find nothing wrong with `value` (exported for its test). */
export function regexFine(value: string, limit: number): boolean {
  if (value === '' || re2Error(value)) return false;
  const size = re2ProgramSize(value);
  return size === undefined || size <= limit;
}

/** Why a regex field would be refused (empty, not RE2, or too large a program), pushed onto `problems`. */
export function regexProblems(
  value: string,
  path: string,
  what: string,
  limit: number,
  problems: FieldProblem[],
): void {
  if (value === '') {
    problems.push({ code: 'HTTP_REGEX_INVALID', path, message: `${what} is empty; write a regex` });
    return;
  }
  const error = re2Error(value);
  if (error) {
    problems.push({
      code: 'HTTP_REGEX_INVALID',
      path,
      message: `${what} is not valid RE2 (${error}); fix the regex`,
    });
    return;
  }
  const size = re2ProgramSize(value);
  if (size === Number.POSITIVE_INFINITY) {
    problems.push({
      code: 'HTTP_REGEX_TOO_LARGE',
      path,
      message: `${what} escapes a character above U+00FF (\\x{…}), which Envoy's RE2 (it reads patterns as Latin-1 bytes) cannot compile; write the character itself`,
    });
  } else if (size !== undefined && size > limit) {
    problems.push({
      code: 'HTTP_REGEX_TOO_LARGE',
      path,
      message: `${what} compiles to an RE2 program of ${size} instructions, more than the limit of ${limit} (the ambassador Module's regex_max_size); Envoy would refuse the whole route update. Simplify the regex (e.g. [a-z]+ instead of [a-z]{500}) or raise regex_max_size`,
    });
  }
}

/**
 * Envoy writes the Server header itself after every route-level header change, unless the
 * Module's server_header_transformation is PASS_THROUGH: OVERWRITE (the default) replaces it
 * with server_name, APPEND_IF_ABSENT adds it again once removed. Checked on Envoy 1.39.
 */
function serverHeaderNoEffect(
  ctx: PassContext,
  ref: HttpMapping['ref'],
  spec: MappingFields,
  module: HttpModule | undefined,
): void {
  const transformation = module?.config.server_header_transformation ?? 'OVERWRITE';
  if (transformation === 'PASS_THROUGH') return;
  spec.remove_response_headers?.forEach((name, i) => {
    if (name.toLowerCase() !== 'server') return;
    ctx.report({
      code: 'MAPPING_FIELD_IGNORED',
      resource: ref,
      path: `/spec/remove_response_headers/${i}`,
      message: `removing the Server header has no effect: Envoy sets it after route headers (the ambassador Module's server_header_transformation is ${transformation}). Set server_header_transformation: PASS_THROUGH in the Module to let Mappings remove it`,
    });
  });
  if (transformation !== 'OVERWRITE' || spec.add_response_headers === undefined) return;
  for (const name of Object.keys(spec.add_response_headers)) {
    if (name.toLowerCase() !== 'server') continue;
    ctx.report({
      code: 'MAPPING_FIELD_IGNORED',
      resource: ref,
      path: `/spec/add_response_headers/${name}`,
      message:
        "adding a Server header has no effect: Envoy overwrites it with the Module's server_name (server_header_transformation OVERWRITE, the default). Set server_name in the Module, or server_header_transformation: APPEND_IF_ABSENT or PASS_THROUGH",
    });
  }
}
