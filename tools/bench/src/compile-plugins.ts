import type { Plugin } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';

/**
 * The plugin set the compile benchmark measures: the HTTP model and Envoy
 * lowering with strict validation, as `attache compile` uses them.
 */
export const compilePlugins: readonly Plugin[] = [httpPlugin, envoyPlugin];
