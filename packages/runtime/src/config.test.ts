import { createPipeline, definePlugin } from '@attache/core';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, validateIoConfig } from './config.js';

const filePlugin = definePlugin({
  id: 'fake-file',
  register(reg) {
    reg.source({
      type: 'file',
      configSchema: Type.Object({ paths: Type.Array(Type.String()), watch: Type.Boolean({ default: true }) }),
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
  },
});

describe('parseConfig', () => {
  it('fills defaults', () => {
    const config = parseConfig({ sources: {}, sinks: {} });
    expect(config.ambassadorIds).toEqual(['default']);
    expect(config.debounce).toEqual({ quietMs: 100, maxMs: 1000 });
    expect(config.log).toEqual({ level: 'info', format: 'auto' });
  });

  it('names the field that is wrong', () => {
    expect(() => parseConfig({ sources: {}, sinks: {}, debounce: { quietMs: 'soon' } }, 'x.yaml')).toThrow(
      /x\.yaml is invalid:\n {2}debounce\.quietMs: Expected integer/,
    );
    expect(() => parseConfig({ sources: {}, sinks: {}, colour: 'blue' })).toThrow(ConfigError);
    expect(() => parseConfig({ sources: {}, sinks: {}, plugins: [{ config: {} }] })).toThrow(
      /plugins\.0: give exactly one/,
    );
  });
});

describe('validateIoConfig', () => {
  const pipeline = createPipeline([filePlugin]);

  it('validates each block against the schema of the type it names', () => {
    const io = validateIoConfig(parseConfig({ sources: { file: { paths: ['x'] } }, sinks: {} }), pipeline);
    expect(io.sources.get('file')).toEqual({ paths: ['x'], watch: true });
  });

  it('names the block and field on a schema error', () => {
    expect(() =>
      validateIoConfig(parseConfig({ sources: { file: { paths: 'x' } }, sinks: {} }), pipeline),
    ).toThrow(/sources\.file\.paths: Expected array/);
  });

  it('names unknown source and sink types with the known ones', () => {
    expect(() => validateIoConfig(parseConfig({ sources: {}, sinks: { ads: {} } }), pipeline)).toThrow(
      /sinks\.ads: no loaded plugin registers a sink of type 'ads' \(known: none\)/,
    );
    expect(() => validateIoConfig(parseConfig({ sources: { consul: {} }, sinks: {} }), pipeline)).toThrow(
      /known: file/,
    );
  });

  it('lets a null block switch a type off', () => {
    const io = validateIoConfig(parseConfig({ sources: { file: null }, sinks: {} }), pipeline);
    expect(io.sources.size).toBe(0);
  });
});
