import { isPlugin, type Plugin } from '@attache/core';

/**
 * The plugin set the compile benchmark measures: the HTTP model and Envoy
 * lowering with strict validation, as `attache compile` uses them. Loaded by
 * export name and checked, so the harness says which one is missing instead of
 * failing to start while those packages are still being written.
 */
export async function loadCompilePlugins(): Promise<{ plugins: Plugin[] } | { missing: string[] }> {
  const http = (await import('@attache/plugin-http')) as unknown as Record<string, unknown>;
  const envoy = (await import('@attache/envoy')) as unknown as Record<string, unknown>;
  const missing: string[] = [];
  if (!isPlugin(http.httpPlugin)) missing.push("@attache/plugin-http does not export 'httpPlugin'");
  if (!isPlugin(envoy.envoyPlugin)) missing.push("@attache/envoy does not export 'envoyPlugin'");
  if (missing.length > 0) return { missing };
  return { plugins: [http.httpPlugin as Plugin, envoy.envoyPlugin as Plugin] };
}
