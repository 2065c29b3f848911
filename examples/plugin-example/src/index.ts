import { definePlugin } from '@attache/core';
import { type ExampleConfig, ExampleConfigSchema } from './config.js';
import { responseHeaderPass } from './response-header-pass.js';

/**
 * A third-party plugin: it lives outside apps/ and packages/, and attache
 * loads it from attache.yaml (`plugins: [{ module: ./ }]`). See docs/plugins.md.
 */
export const plugin = definePlugin<ExampleConfig>({
  id: 'example',
  description: 'Adds a response header to every route (a worked example of a plugin)',
  configSchema: ExampleConfigSchema,
  // The routes it decorates come from the HTTP model; fail at load, not at compile, without it.
  requires: ['http'],
  register(reg) {
    reg.diagnostics({
      EXAMPLE_HEADER_CONFLICT: {
        severity: 'warning',
        summary: 'A Mapping already adds the response header the example plugin adds; the Mapping wins.',
      },
    });
    reg.pass(responseHeaderPass);
  },
});

export default plugin;
export { type ExampleConfig, ExampleConfigSchema } from './config.js';
