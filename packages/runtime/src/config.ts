import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { type Pipeline, PluginLoadError, validateAgainstSchema } from '@attache/core';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { defaultDebounce } from './debounce.js';

// The `yaml` library is loaded when a config file is read: `attache compile` without --config need not pay for it.
const require = createRequire(import.meta.url);
let yamlLibrary: typeof import('yaml') | undefined;
const yaml = () => {
  yamlLibrary ??= require('yaml') as typeof import('yaml');
  return yamlLibrary;
};

/** A plugin to load: a first-party plugin by id, or a third-party module by package name or path. */
export const PluginEntrySchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({ description: "id of a plugin already in the distribution, e.g. 'http'" }),
    ),
    module: Type.Optional(
      Type.String({
        description: 'package name or path (relative to this file) of a module exporting a plugin',
      }),
    ),
    config: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** attache.yaml. Each sources/sinks key names a registered source/sink type whose own schema checks its block. */
export const AttacheConfigSchema = Type.Object(
  {
    plugins: Type.Optional(Type.Array(PluginEntrySchema)),
    sources: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    sinks: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    admin: Type.Optional(
      Type.Object(
        {
          host: Type.String({ default: '127.0.0.1' }),
          port: Type.Integer({ minimum: 0, maximum: 65535, default: 8877 }),
          enabled: Type.Boolean({ default: true }),
        },
        { additionalProperties: false },
      ),
    ),
    ambassadorIds: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['default'] }),
    keepLastGood: Type.Boolean({
      default: true,
      description:
        'a resource that was valid and turns invalid keeps serving its last good version (with a RESOURCE_LAST_GOOD error) instead of disappearing',
    }),
    debounce: Type.Object(
      {
        quietMs: Type.Integer({ minimum: 0, default: defaultDebounce.quietMs }),
        maxMs: Type.Integer({ minimum: 0, default: defaultDebounce.maxMs }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
        // auto: human-readable lines when stderr is a terminal, JSON otherwise (see logger.ts).
        format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
          default: 'auto',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type AttacheConfig = Static<typeof AttacheConfigSchema>;
export type PluginEntry = Static<typeof PluginEntrySchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a parsed attache.yaml, filling defaults; errors name the field ('sinks.file.path: ...'). */
export function parseConfig(raw: unknown, origin = 'attache.yaml'): AttacheConfig {
  const value = Value.Default(AttacheConfigSchema, structuredClone(raw ?? {}));
  const errors = [...Value.Errors(AttacheConfigSchema, value)];
  if (errors.length > 0) {
    const lines = errors.slice(0, 8).map((e) => `  ${fieldName(e.path)}: ${e.message}`);
    throw new ConfigError(`${origin} is invalid:\n${lines.join('\n')}`);
  }
  const config = value as AttacheConfig;
  for (const [i, entry] of (config.plugins ?? []).entries()) {
    if ((entry.id === undefined) === (entry.module === undefined)) {
      throw new ConfigError(`${origin} is invalid:\n  plugins.${i}: give exactly one of 'id' or 'module'`);
    }
  }
  return config;
}

export interface LoadedConfigFile {
  config: AttacheConfig;
  /** Directory relative paths in the file resolve against. */
  baseDir: string;
  path: string;
}

export function loadConfigFile(path: string): LoadedConfigFile {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = yaml().parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as Error).message}`);
  }
  return { config: parseConfig(raw, path), baseDir: dirname(absolute), path: absolute };
}

/**
 * Checks every sources/sinks block against the schema of the type it names,
 * once the plugins are loaded; returns the validated (defaulted) blocks.
 */
export function validateIoConfig(
  config: AttacheConfig,
  pipeline: Pipeline,
  origin = 'attache.yaml',
): { sources: Map<string, unknown>; sinks: Map<string, unknown> } {
  const check = (section: 'sources' | 'sinks', registered: Pipeline['sources'] | Pipeline['sinks']) => {
    const out = new Map<string, unknown>();
    for (const [type, block] of Object.entries(config[section]).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      if (block === false || block === null) continue; // `file: null` switches a default off
      const factory = registered.get(type);
      if (!factory) {
        const known = [...registered.keys()].sort().join(', ') || 'none';
        throw new ConfigError(
          `${origin}: ${section}.${type}: no loaded plugin registers a ${section === 'sources' ? 'source' : 'sink'} of type '${type}' (known: ${known})`,
        );
      }
      if (!factory.configSchema) {
        out.set(type, block ?? {});
        continue;
      }
      try {
        out.set(type, validateAgainstSchema(`${section}.${type}`, factory.configSchema, block));
      } catch (e) {
        if (e instanceof PluginLoadError) {
          const named = e.message.replace(
            /\n {2}(\/\S*):/g,
            (_m: string, pointer: string) =>
              `\n  ${section}.${type}${pointer === '/' ? '' : `.${fieldName(pointer)}`}:`,
          );
          throw new ConfigError(`${origin}: ${named}`);
        }
        throw e;
      }
    }
    return out;
  };
  return { sources: check('sources', pipeline.sources), sinks: check('sinks', pipeline.sinks) };
}

function fieldName(pointer: string): string {
  if (pointer === '' || pointer === '/') return '(root)';
  return pointer.slice(1).split('/').join('.');
}
