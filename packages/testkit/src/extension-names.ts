import type { CompileResult } from '@attache/core';

/**
 * Every Envoy extension name under `prefix` ('envoy.tracers',
 * 'envoy.access_loggers') that the compiled resources mention, in resource
 * order, repeats kept: whether a feature reached Envoy at all, whatever
 * resource carries it.
 */
export function extensionNamesIn(result: Pick<CompileResult, 'xds'>, prefix: string): string[] {
  const pattern = new RegExp(`${prefix.replace(/\./g, '\\.')}\\.[a-z_]+`, 'g');
  return Object.values(result.xds)
    .flat()
    .flatMap((r) => JSON.stringify(r.resource).match(pattern) ?? []);
}
