import type { TSchema } from '@sinclair/typebox';
import type { Diagnostic, DiagnosticCodeTable, DiagnosticInput } from './diagnostics.js';
import type { FieldExtension, RegisteredField } from './field-extensions.js';
import type { SinkFactory, SourceFactory } from './io.js';
import type { IR } from './ir.js';
import type { PlainJsonSchema } from './json-schema-config.js';
import type { PassMemo } from './pass-memo.js';
import type { Phase } from './phases.js';
import type { ResourceKind, StoredResource } from './resource.js';
import type { XdsResource } from './xds.js';

export interface CompileOptions {
  /**
   * The ambassador_id this compilation serves (Emissary's default is 'default').
   * Resources whose ambassador_id list does not include it are ignored.
   */
  ambassadorId?: string;
  /**
   * The wall-clock time of this compilation (ms since the epoch), for checks that
   * depend on it (certificate expiry). The caller reads the clock; passes stay pure.
   * Absent: no time-dependent checks.
   */
  now?: number;
}

/**
 * A facet names a part of the IR (or of the shared facts in IR.ext) that a
 * pass reads or writes: 'ir.clusters', 'http.mappings'. The scheduler orders
 * the passes of a phase so that every writer of a facet runs before its readers.
 */
export type Facet = string;

export interface PassContext<C = unknown> {
  /** The IR being built. Passes mutate the parts named in their `writes`. */
  readonly ir: IR;
  /** This plugin's validated config. */
  readonly config: C;
  /** Options of this compilation (e.g. which ambassador_id is being compiled). */
  readonly options: CompileOptions;
  /** Every input resource, sorted by key (kind, namespace, name). */
  readonly inputs: readonly StoredResource[];
  /** Input resources of one kind ('getambassador.io/Mapping', 'Secret'), sorted by key. */
  resources(kind: ResourceKind): readonly StoredResource[];
  /** Report a user error; the compiler stamps origin and severity. Never throw for user errors. */
  report(diagnostic: DiagnosticInput): void;
  /** Lower phase only: emit a generated Envoy resource (validated and hashed by the emitter). */
  emit(resource: XdsResource): void;
  /**
   * Lower phase only: emit every resource of one type at once, in name order (code-unit order,
   * no name twice); the compiler checks that order (one comparison per resource) instead of
   * recording each name, and need not sort the type's list. The same contract as `emit`
   * otherwise. Optional: a compiler without it takes `emit` per resource.
   */
  emitSorted?(resources: readonly XdsResource[]): void;
  /** Diagnostics reported so far (read-only), e.g. for a pass that summarises. */
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Results kept from the previous compile of an incremental compiler
   * (`createIncrementalCompiler`), keyed by input object; absent under plain
   * `compile()`. Optional to use: a pass that ignores it recomputes everything,
   * which is always correct. See PassMemo for the contract.
   */
  readonly memo?: PassMemo;
  /**
   * Fields of `kind` that plugins other than its owner implement (claimed with
   * `reg.fields`, or named by the owner with `reg.delegateFields` for a plugin
   * that is not loaded: `loaded: false`). The owner treats them as known.
   */
  fields(kind: ResourceKind): readonly RegisteredField[];
}

export interface PassSpec<C = unknown> {
  /** '<plugin>.<pass>'; the plugin prefix is checked at registration. */
  id: string;
  phase: Phase;
  /** Why this pass runs where it does: required, printed by `attache compile --schedule`. */
  reason?: string;
  reads?: readonly Facet[];
  writes?: readonly Facet[];
  /** Synchronous and pure: no I/O, no clock, no randomness. */
  run(ctx: PassContext<C>): void;
}

export interface PluginRegistrar<C = unknown> {
  readonly pluginId: string;
  /** The plugin's validated config, for registration decisions (e.g. optional passes). */
  readonly config: C;
  pass(spec: PassSpec<C>): void;
  /** Declare the diagnostic codes this plugin reports. */
  diagnostics(codes: DiagnosticCodeTable): void;
  source(factory: SourceFactory): void;
  sink(factory: SinkFactory): void;
  /**
   * Claim fields of kinds other plugins own (Mapping `bypass_auth`): their owner
   * then treats them as known, and this plugin validates and implements them.
   * Two plugins claiming one field is a load error.
   */
  fields(extensions: readonly FieldExtension[]): void;
  /**
   * For a kind this plugin owns: name the plugin that implements each of these
   * fields (JSON pointer → plugin id). When that plugin is not loaded, a
   * resource setting the field gets FIELD_NEEDS_PLUGIN instead of losing it silently.
   */
  delegateFields(kind: ResourceKind, fields: Readonly<Record<string, string>>): void;
  /**
   * Name the plugin that implements each of these kinds (kind → plugin id), for
   * kinds of a family this plugin models (the http plugin names feature-logging
   * for getambassador.io/LogService). When no loaded plugin owns the kind, a
   * resource of it gets KIND_NEEDS_PLUGIN naming that plugin instead of
   * RESOURCE_KIND_UNKNOWN. Naming one kind for two different plugins is a load error.
   */
  delegateKinds(kinds: Readonly<Record<ResourceKind, string>>): void;
}

export interface PluginDefinition<C = unknown> {
  /** kebab-case, unique. */
  id: string;
  /** Human description for `attache plugins`. */
  description?: string;
  /**
   * Schema of this plugin's config, validated (and defaults filled) at load: a TypeBox
   * schema, or a plain JSON Schema object (draft-07, or 2019-09/2020-12 named by `$schema`).
   */
  configSchema?: TSchema | PlainJsonSchema;
  /** Kinds this plugin validates and normalises; one owner per kind. */
  owns?: readonly ResourceKind[];
  /** Kinds this plugin reads but does not own (Secret, Service, Endpoints…), so they are not reported as unknown. */
  consumes?: readonly ResourceKind[];
  /** Other plugin ids that must be registered too. */
  requires?: readonly string[];
  /** Records passes, codes, sources and sinks. Starts nothing. */
  register(reg: PluginRegistrar<C>): void;
}

declare const pluginBrand: unique symbol;

/** A plugin is data: its definition, checked and frozen. */
export type Plugin<C = unknown> = Readonly<PluginDefinition<C>> & { readonly [pluginBrand]: true };

const pluginIdPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function definePlugin<C = unknown>(def: PluginDefinition<C>): Plugin<C> {
  if (!pluginIdPattern.test(def.id)) {
    throw new Error(`plugin id '${def.id}' must be kebab-case (e.g. 'rate-limit')`);
  }
  if (typeof def.register !== 'function') {
    throw new Error(`plugin '${def.id}' has no register(reg) function`);
  }
  return Object.freeze({ ...def }) as Plugin<C>;
}

export function isPlugin(value: unknown): value is Plugin {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PluginDefinition).id === 'string' &&
    typeof (value as PluginDefinition).register === 'function'
  );
}
