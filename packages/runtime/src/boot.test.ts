import { definePlugin } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { bootRuntime } from './boot.js';
import { parseConfig } from './config.js';
import { Tokens } from './container.js';
import { silentLogger } from './logger.js';

const configurable = definePlugin<{ greeting?: string }>({
  id: 'greeter',
  register(reg) {
    reg.sink({ type: 'null', create: () => ({ start: async () => {}, publish() {}, stop: async () => {} }) });
  },
});

describe('bootRuntime', () => {
  it('wires a runtime from the container with the config of each distribution plugin', async () => {
    const config = parseConfig({
      plugins: [{ id: 'greeter', config: { greeting: 'hi' } }],
      sources: {},
      sinks: { null: {} },
    });
    const booted = await bootRuntime({
      config,
      baseDir: '/',
      distribution: [configurable],
      logger: silentLogger(),
    });
    expect(booted.pipeline.plugins).toEqual([{ id: 'greeter', config: { greeting: 'hi' } }]);
    expect(booted.container.resolve(Tokens.Runtime)).toBe(booted.runtime);
    await booted.runtime.start();
    await booted.runtime.flush();
    expect(booted.runtime.snapshot()!.serial).toBe(1);
    await booted.runtime.stop();
  });

  it('rejects a plugin id the distribution does not have', async () => {
    const config = parseConfig({ plugins: [{ id: 'nope' }], sources: {}, sinks: {} });
    await expect(
      bootRuntime({ config, baseDir: '/', distribution: [configurable], logger: silentLogger() }),
    ).rejects.toThrow(/plugins\.0\.id: no plugin 'nope' in this distribution \(known: greeter\)/);
  });
});
