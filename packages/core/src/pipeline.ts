import { Value } from '@sinclair/typebox/value';
import { type DiagnosticCodeTable, DiagnosticRegistry } from './diagnostics.js';
import type { FieldExtension, RegisteredField } from './field-extensions.js';
import type { SinkFactory, SourceFactory } from './io.js';
import { isTypeBoxSchema, type PlainJsonSchema, validatePlainJsonSchema } from './json-schema-config.js';
import { isPhase } from './phases.js';
import type { PassSpec, Plugin, PluginRegistrar } from './plugin.js';
import type { ResourceKind } from './resource.js';
import { type ScheduledPass, schedulePasses } from './scheduler.js';

export class PluginLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

export interface PluginUse<C = unknown> {
  plugin: Plugin<C>;
  /** Raw config from attache.yaml; validated against the plugin's configSchema. */
  config?: unknown;
}

export interface RegisteredPass extends ScheduledPass {
  run: PassSpec<unknown>['run'];
  config: unknown;
}

/**
 * A loaded, checked and frozen plugin set: what compile() runs and what the
 * runtime wires. Built once; nothing can be added afterwards.
 */
export interface Pipeline {
  readonly plugins: readonly { id: string; config: unknown; description?: string }[];
  readonly passes: readonly RegisteredPass[];
  readonly codes: DiagnosticRegistry;
  /** kind → owning plugin id. */
  readonly owners: ReadonlyMap<ResourceKind, string>;
  readonly consumed: ReadonlySet<ResourceKind>;
  readonly sources: ReadonlyMap<string, SourceFactory & { plugin: string }>;
  readonly sinks: ReadonlyMap<string, SinkFactory & { plugin: string }>;
  /** kind → fields other plugins implement (claimed, or delegated to an absent plugin), sorted by path. */
  readonly fields: ReadonlyMap<ResourceKind, readonly RegisteredField[]>;
  /** kind → the plugin named to implement it (`reg.delegateKinds`), for kinds no loaded plugin owns. */
  readonly kindPlugins: ReadonlyMap<ResourceKind, string>;
}

export function createPipeline(uses: readonly (PluginUse | Plugin)[]): Pipeline {
  const normalized: PluginUse[] = uses.map((u) =>
    'plugin' in u && 'register' in (u as PluginUse).plugin ? (u as PluginUse) : { plugin: u as Plugin },
  );
  const ids = new Map<string, Plugin>();
  for (const { plugin } of normalized) {
    if (ids.has(plugin.id)) throw new PluginLoadError(`plugin '${plugin.id}' is registered twice`);
    ids.set(plugin.id, plugin);
  }
  for (const { plugin } of normalized) {
    for (const needed of plugin.requires ?? []) {
      if (!ids.has(needed)) {
        throw new PluginLoadError(`plugin '${plugin.id}' requires '${needed}', which is not registered`);
      }
    }
  }
  const owners = new Map<ResourceKind, string>();
  const consumed = new Set<ResourceKind>();
  for (const { plugin } of normalized) {
    for (const kind of plugin.owns ?? []) {
      const other = owners.get(kind);
      if (other) throw new PluginLoadError(`kind ${kind} is owned by both '${other}' and '${plugin.id}'`);
      owners.set(kind, plugin.id);
    }
    for (const kind of plugin.consumes ?? []) consumed.add(kind);
  }

  const codes = new DiagnosticRegistry();
  const passes: RegisteredPass[] = [];
  const sources = new Map<string, SourceFactory & { plugin: string }>();
  const sinks = new Map<string, SinkFactory & { plugin: string }>();
  const plugins: Array<{ id: string; config: unknown; description?: string }> = [];
  const claims = new Map<string, FieldExtension & { plugin: string }>();
  const delegations: Array<{ kind: ResourceKind; path: string; plugin: string; by: string }> = [];
  const kindPlugins = new Map<ResourceKind, string>();

  for (const use of normalized) {
    const { plugin } = use;
    const config = validatePluginConfig(plugin, use.config);
    plugins.push({
      id: plugin.id,
      config,
      ...(plugin.description ? { description: plugin.description } : {}),
    });
    let frozen = false;
    const assertOpen = (what: string) => {
      if (frozen) {
        throw new PluginLoadError(
          `plugin '${plugin.id}' called reg.${what}() after registration finished; record everything synchronously inside register()`,
        );
      }
    };
    const registrar: PluginRegistrar<unknown> = {
      pluginId: plugin.id,
      config,
      pass(spec) {
        assertOpen('pass');
        if (!spec.id.startsWith(`${plugin.id}.`)) {
          throw new PluginLoadError(
            `pass '${spec.id}' of plugin '${plugin.id}' must be named '${plugin.id}.<pass>'`,
          );
        }
        if (!isPhase(spec.phase))
          throw new PluginLoadError(`pass '${spec.id}' names unknown phase '${spec.phase}'`);
        if (passes.some((p) => p.id === spec.id))
          throw new PluginLoadError(`pass '${spec.id}' is registered twice`);
        passes.push({
          id: spec.id,
          plugin: plugin.id,
          phase: spec.phase,
          ...(spec.reason ? { reason: spec.reason } : {}),
          reads: [...(spec.reads ?? [])],
          writes: [...(spec.writes ?? [])],
          run: spec.run as RegisteredPass['run'],
          config,
        });
      },
      diagnostics(table: DiagnosticCodeTable) {
        assertOpen('diagnostics');
        try {
          codes.add(plugin.id, table);
        } catch (e) {
          throw new PluginLoadError((e as Error).message);
        }
      },
      source(factory) {
        assertOpen('source');
        const other = sources.get(factory.type);
        if (other)
          throw new PluginLoadError(
            `source type '${factory.type}' is registered by both '${other.plugin}' and '${plugin.id}'`,
          );
        sources.set(factory.type, { ...factory, plugin: plugin.id });
      },
      sink(factory) {
        assertOpen('sink');
        const other = sinks.get(factory.type);
        if (other)
          throw new PluginLoadError(
            `sink type '${factory.type}' is registered by both '${other.plugin}' and '${plugin.id}'`,
          );
        sinks.set(factory.type, { ...factory, plugin: plugin.id });
      },
      fields(extensions) {
        assertOpen('fields');
        for (const ext of extensions) {
          if (!/^(\/[^/]+)+$/.test(ext.path))
            throw new PluginLoadError(
              `plugin '${plugin.id}' claims field '${ext.path}' of ${ext.kind}: a field is a JSON pointer such as '/spec/bypass_auth'`,
            );
          const key = `${ext.kind} ${ext.path}`;
          const other = claims.get(key);
          if (other)
            throw new PluginLoadError(
              `field ${ext.path} of ${ext.kind} is claimed by both '${other.plugin}' and '${plugin.id}'`,
            );
          claims.set(key, { ...ext, plugin: plugin.id });
        }
      },
      delegateFields(kind, table) {
        assertOpen('delegateFields');
        if (!(plugin.owns ?? []).includes(kind))
          throw new PluginLoadError(
            `plugin '${plugin.id}' delegates fields of ${kind}, which it does not own`,
          );
        for (const [path, to] of Object.entries(table))
          delegations.push({ kind, path, plugin: to, by: plugin.id });
      },
      delegateKinds(table) {
        assertOpen('delegateKinds');
        for (const [kind, to] of Object.entries(table)) {
          const other = kindPlugins.get(kind);
          if (other !== undefined && other !== to)
            throw new PluginLoadError(
              `kind ${kind} is said to need both '${other}' and '${to}' (plugin '${plugin.id}')`,
            );
          kindPlugins.set(kind, to);
        }
      },
    };
    plugin.register(registrar as PluginRegistrar<never>);
    frozen = true;
  }

  let scheduled: RegisteredPass[];
  try {
    scheduled = schedulePasses(passes);
  } catch (e) {
    throw new PluginLoadError((e as Error).message);
  }
  const fields = new Map<ResourceKind, RegisteredField[]>();
  const addField = (kind: ResourceKind, field: RegisteredField) => {
    const list = fields.get(kind);
    if (list) list.push(field);
    else fields.set(kind, [field]);
  };
  for (const claim of claims.values()) {
    addField(claim.kind, {
      path: claim.path,
      plugin: claim.plugin,
      loaded: true,
      ...(claim.schema ? { schema: claim.schema } : {}),
      ...(claim.description ? { description: claim.description } : {}),
    });
  }
  // A delegated field someone claims is that claimant's (it may be a replacement for the named plugin).
  for (const d of delegations) {
    if (claims.has(`${d.kind} ${d.path}`)) continue;
    addField(d.kind, { path: d.path, plugin: d.plugin, loaded: ids.has(d.plugin) });
  }
  for (const list of fields.values()) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  for (const kind of [...kindPlugins.keys()]) if (owners.has(kind)) kindPlugins.delete(kind);

  return Object.freeze({
    plugins: Object.freeze(plugins),
    fields,
    kindPlugins,
    passes: Object.freeze(scheduled),
    codes,
    owners,
    consumed,
    sources,
    sinks,
  });
}

/**
 * Validates (and fills defaults into) a config against its schema: a TypeBox
 * schema, or a plain JSON Schema object (checked with Ajv). Throws a
 * PluginLoadError naming the owner and the field, or saying what is wrong
 * with the schema itself.
 */
export function validateAgainstSchema(
  owner: string,
  schema: import('@sinclair/typebox').TSchema | PlainJsonSchema,
  raw: unknown,
): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new PluginLoadError(
      `the configSchema of ${owner} is not a schema object (TypeBox or plain JSON Schema)`,
    );
  }
  if (isTypeBoxSchema(schema)) {
    try {
      const value = Value.Default(schema, structuredClone(raw ?? {}));
      const errors = [...Value.Errors(schema, value)];
      if (errors.length > 0)
        throw invalidConfig(
          owner,
          errors.map((e) => `  ${e.path || '/'}: ${e.message}`),
        );
      return value;
    } catch (e) {
      if (e instanceof PluginLoadError) throw e;
      // TypeBox outside with plain JSON Schema inside ("Unknown type"): still JSON Schema.
    }
  }
  const result = validatePlainJsonSchema(schema, raw);
  if (result.ok) return result.value;
  if ('schemaError' in result) {
    throw new PluginLoadError(
      `the configSchema of ${owner} is not a JSON Schema Attaché can use: ${result.schemaError}`,
    );
  }
  throw invalidConfig(owner, result.problems);
}

function invalidConfig(owner: string, lines: string[]): PluginLoadError {
  return new PluginLoadError(`invalid config for ${owner}:\n${lines.slice(0, 5).join('\n')}`);
}

function validatePluginConfig(plugin: Plugin, raw: unknown): unknown {
  if (!plugin.configSchema) return raw ?? {};
  return validateAgainstSchema(`plugin '${plugin.id}'`, plugin.configSchema, raw);
}

/** Whether `value` is a built pipeline rather than a list of plugins (compile() takes either). */
export function isPipeline(value: unknown): value is Pipeline {
  return typeof value === 'object' && value !== null && 'passes' in value && 'codes' in value;
}
