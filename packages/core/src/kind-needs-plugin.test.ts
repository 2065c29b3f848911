import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { createPipeline } from './pipeline.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';

const gadget: StoredResource = {
  resource: { apiVersion: 'example.io/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' } },
  origin: { source: 'test', file: 'g.yaml', line: 4 },
};

/** A model plugin that names the plugin implementing Gadgets, as http names feature-logging for LogService. */
const model = definePlugin({
  id: 'model',
  owns: ['example.io/Widget'],
  register(reg) {
    reg.delegateKinds({ 'example.io/Gadget': 'feature-gadgets' });
  },
});

const gadgets = definePlugin({ id: 'feature-gadgets', owns: ['example.io/Gadget'], register() {} });

describe('reg.delegateKinds', () => {
  it('a kind whose plugin is not loaded gets KIND_NEEDS_PLUGIN naming the plugin', () => {
    const result = compile([gadget], [model]);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual([
      ['KIND_NEEDS_PLUGIN', 'warning', '/kind'],
    ]);
    expect(result.diagnostics[0]!.message).toContain('feature-gadgets');
    expect(result.diagnostics[0]!.resource?.source).toBe('g.yaml:4');
  });

  it('with the plugin loaded there is nothing to say', () => {
    const result = compile([gadget], [model, gadgets]);
    expect(result.diagnostics).toEqual([]);
    expect(createPipeline([model, gadgets]).kindPlugins.size).toBe(0);
  });

  it('naming one kind for two different plugins is a load error', () => {
    const other = definePlugin({
      id: 'other',
      register(reg) {
        reg.delegateKinds({ 'example.io/Gadget': 'gadgets-two' });
      },
    });
    expect(() => createPipeline([model, other])).toThrow(/feature-gadgets.*gadgets-two/);
  });
});
