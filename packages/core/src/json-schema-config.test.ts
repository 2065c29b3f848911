import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createPipeline, PluginLoadError } from './pipeline.js';
import { definePlugin, type PluginDefinition } from './plugin.js';

/** A plugin whose register() records the config it was given. */
function pluginWith(configSchema: PluginDefinition['configSchema'], seen: unknown[] = []) {
  return definePlugin({
    id: 'team-header',
    configSchema,
    register(reg) {
      seen.push(reg.config);
    },
  });
}

const plainSchema = {
  type: 'object',
  properties: {
    header: { type: 'string', minLength: 1 },
    value: { type: 'string', default: 'attache' },
    mode: { enum: ['add', 'replace'], default: 'add' },
  },
  required: ['header'],
  additionalProperties: false,
};

const loadError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PluginLoadError);
    return (e as Error).message;
  }
  throw new Error('expected a PluginLoadError');
};

describe('plain JSON Schema configSchema', () => {
  it('validates the config and fills defaults, as a TypeBox schema would', () => {
    const seen: unknown[] = [];
    createPipeline([{ plugin: pluginWith(plainSchema, seen), config: { header: 'x-team' } }]);
    expect(seen).toEqual([{ header: 'x-team', value: 'attache', mode: 'add' }]);
  });

  it('names the plugin and every wrong field', () => {
    const message = loadError(() =>
      createPipeline([
        { plugin: pluginWith(plainSchema), config: { header: 7, mode: 'merge', colour: 'blue' } },
      ]),
    );
    expect(message).toMatch(/^invalid config for plugin 'team-header':/);
    expect(message).toContain("  /: must NOT have additional properties ('colour')");
    expect(message).toContain('  /header: must be string');
    expect(message).toContain('  /mode: must be equal to one of the allowed values ("add", "replace")');
    expect(loadError(() => createPipeline([pluginWith(plainSchema)]))).toContain(
      "  /: must have required property 'header'",
    );
  });

  it('says what is wrong with a schema it cannot use, naming the plugin', () => {
    for (const [schema, problem] of [
      [{ type: 'strnig' }, /must be equal to one of the allowed values|type/],
      [{ type: 'object', propertes: {} }, /unknown keyword: "propertes"/],
      [{ $ref: '#/definitions/missing' }, /can't resolve reference/],
    ] as const) {
      const message = loadError(() => createPipeline([pluginWith(schema)]));
      expect(message).toMatch(
        /^the configSchema of plugin 'team-header' is not a JSON Schema Attaché can use: /,
      );
      expect(message).toMatch(problem);
    }
    expect(loadError(() => createPipeline([pluginWith('object' as never)]))).toBe(
      "the configSchema of plugin 'team-header' is not a schema object (TypeBox or plain JSON Schema)",
    );
  });

  it('takes a root default as the config when none is given', () => {
    const schema = {
      type: 'object',
      default: { header: 'x-default' },
      properties: { header: { type: 'string' }, value: { type: 'string', default: 'v' } },
    };
    const seen: unknown[] = [];
    createPipeline([pluginWith(schema, seen)]);
    createPipeline([{ plugin: pluginWith(schema, seen), config: { header: 'x-given' } }]);
    expect(seen).toEqual([
      { header: 'x-default', value: 'v' },
      { header: 'x-given', value: 'v' },
    ]);
  });

  it('reads the draft from $schema (2020-12: prefixItems)', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] } },
    };
    const seen: unknown[] = [];
    createPipeline([{ plugin: pluginWith(schema, seen), config: { pair: ['a', 1] } }]);
    expect(seen).toEqual([{ pair: ['a', 1] }]);
    expect(
      loadError(() => createPipeline([{ plugin: pluginWith(schema), config: { pair: ['a', 'b'] } }])),
    ).toContain('  /pair/1: must be integer');
  });

  it('accepts a TypeBox schema with plain JSON Schema inside (no "Unknown type")', () => {
    const mixed = Type.Object({ header: { type: 'string' } as never });
    const seen: unknown[] = [];
    createPipeline([{ plugin: pluginWith(mixed, seen), config: { header: 'x' } }]);
    expect(seen).toEqual([{ header: 'x' }]);
    expect(loadError(() => createPipeline([{ plugin: pluginWith(mixed), config: { header: 1 } }]))).toContain(
      '  /header: must be string',
    );
  });

  it('keeps TypeBox error messages for TypeBox schemas', () => {
    const schema = Type.Object({ header: Type.String() }, { additionalProperties: false });
    expect(loadError(() => createPipeline([{ plugin: pluginWith(schema), config: { header: 1 } }]))).toBe(
      "invalid config for plugin 'team-header':\n  /header: Expected string",
    );
  });
});
