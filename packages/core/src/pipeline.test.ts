import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { createPipeline, PluginLoadError } from './pipeline.js';
import { definePlugin } from './plugin.js';

const noop = () => {};

describe('createPipeline', () => {
  it('rejects a second owner of a kind, naming both plugins', () => {
    const a = definePlugin({ id: 'http', owns: ['getambassador.io/Mapping'], register: noop });
    const b = definePlugin({ id: 'my-plugin', owns: ['getambassador.io/Mapping'], register: noop });
    expect(() => createPipeline([a, b])).toThrow(
      "kind getambassador.io/Mapping is owned by both 'http' and 'my-plugin'",
    );
  });

  it('rejects a missing required plugin, naming both', () => {
    const auth = definePlugin({ id: 'auth', requires: ['http'], register: noop });
    expect(() => createPipeline([auth])).toThrow("plugin 'auth' requires 'http', which is not registered");
  });

  it('rejects registration after the plugin finished registering', () => {
    let saved: { pass: (s: never) => void } | undefined;
    const late = definePlugin({
      id: 'late',
      register(reg) {
        saved = reg as never;
      },
    });
    createPipeline([late]);
    expect(() => saved!.pass({ id: 'late.x', phase: 'build', run: noop } as never)).toThrow(
      /after registration finished/,
    );
  });

  it('validates plugin config against its schema and fills defaults', () => {
    const p = definePlugin<{ header: string; enabled: boolean }>({
      id: 'configured',
      configSchema: Type.Object({
        header: Type.String({ minLength: 1 }),
        enabled: Type.Boolean({ default: true }),
      }),
      register: noop,
    });
    expect(() => createPipeline([{ plugin: p, config: { header: '' } }])).toThrow(
      /invalid config for plugin 'configured'/,
    );
    const pipeline = createPipeline([{ plugin: p, config: { header: 'x' } }]);
    expect(pipeline.plugins[0]!.config).toEqual({ header: 'x', enabled: true });
  });

  it('requires pass ids to carry the plugin prefix and known phases', () => {
    const bad = definePlugin({
      id: 'good',
      register(reg) {
        reg.pass({ id: 'other.pass', phase: 'build', run: noop });
      },
    });
    expect(() => createPipeline([bad])).toThrow(PluginLoadError);
    expect(() => createPipeline([bad])).toThrow("must be named 'good.<pass>'");
  });

  it('rejects a diagnostic code declared by two plugins', () => {
    const a = definePlugin({
      id: 'a',
      register: (r) => r.diagnostics({ SAME_CODE: { severity: 'error', summary: 'x' } }),
    });
    const b = definePlugin({
      id: 'b',
      register: (r) => r.diagnostics({ SAME_CODE: { severity: 'error', summary: 'y' } }),
    });
    expect(() => createPipeline([a, b])).toThrow("declared by both 'a' and 'b'");
  });

  it('rejects duplicate plugin ids and non-kebab ids', () => {
    const a = definePlugin({ id: 'dup', register: noop });
    expect(() => createPipeline([a, a])).toThrow("plugin 'dup' is registered twice");
    expect(() => definePlugin({ id: 'NotKebab', register: noop })).toThrow(/kebab-case/);
  });

  it('surfaces a pass cycle as a load error', () => {
    const p = definePlugin({
      id: 'cyc',
      register(reg) {
        reg.pass({ id: 'cyc.a', phase: 'build', reads: ['x'], writes: ['y'], run: noop });
        reg.pass({ id: 'cyc.b', phase: 'build', reads: ['y'], writes: ['x'], run: noop });
      },
    });
    expect(() => createPipeline([p])).toThrow(/pass cycle in phase 'build': cyc.a → cyc.b → cyc.a/);
  });
});
