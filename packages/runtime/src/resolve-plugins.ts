import type { Plugin, PluginUse } from '@attache/core';
import { type AttacheConfig, ConfigError } from './config.js';
import { loadPluginModule } from './plugin-loader.js';

export interface ResolvePluginsOptions {
  baseDir: string;
  /** The distribution's own plugins; `plugins: [{ id, config }]` entries configure them. */
  distribution: readonly Plugin[];
  /** Where the config came from, for error messages. */
  origin?: string;
  /** Export conditions for plugin packages loaded by path (tests: ['source', 'default']). */
  conditions?: readonly string[];
}

/** The plugin set of a config: the distribution's plugins (configured by id) plus modules it loads. */
export async function resolvePlugins(
  config: AttacheConfig,
  options: ResolvePluginsOptions,
): Promise<PluginUse[]> {
  const origin = options.origin ?? 'attache.yaml';
  const configured = new Map<string, unknown>();
  const extra: PluginUse[] = [];
  for (const [i, entry] of (config.plugins ?? []).entries()) {
    if (entry.id !== undefined) {
      if (!options.distribution.some((p) => p.id === entry.id)) {
        const known = options.distribution.map((p) => p.id).join(', ');
        throw new ConfigError(
          `${origin}: plugins.${i}.id: no plugin '${entry.id}' in this distribution (known: ${known})`,
        );
      }
      configured.set(entry.id, entry.config);
      continue;
    }
    const plugin = await loadPluginModule(entry.module!, {
      baseDir: options.baseDir,
      ...(options.conditions ? { conditions: options.conditions } : {}),
    });
    extra.push({ plugin, config: entry.config });
  }
  return [...options.distribution.map((plugin) => ({ plugin, config: configured.get(plugin.id) })), ...extra];
}
