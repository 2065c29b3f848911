import type { IRRoute, PassSpec } from '@attache/core';
import type { ExampleConfig } from './config.js';

/**
 * Adds one response header to every forwarding route. It runs in the attach
 * phase, after the HTTP plugin has built the routes (build phase) and before
 * lowering turns them into Envoy RouteConfigurations (lower phase).
 */
export const responseHeaderPass: PassSpec<ExampleConfig> = {
  id: 'example.response-header',
  phase: 'attach',
  reason: 'decorates routes the build phase created; lowering reads responseHeadersToAdd afterwards',
  reads: ['ir.routeConfigs'],
  writes: ['ir.routeConfigs'],
  run(ctx) {
    const { header, value } = ctx.config;
    const name = header.toLowerCase();
    // Route configs may share route objects (one Mapping served on the cleartext
    // and the TLS listener); decorate each object once.
    const seen = new Set<IRRoute>();
    for (const routeConfig of Object.values(ctx.ir.routeConfigs)) {
      for (const virtualHost of routeConfig.virtualHosts) {
        for (const route of virtualHost.routes) {
          if (route.action.kind !== 'forward' || seen.has(route)) continue;
          seen.add(route);
          if (setsHeader(route, name)) {
            // The user asked for this header on their own resource: theirs wins, and they learn why ours is absent.
            for (const ref of route.provenance) {
              ctx.report({
                code: 'EXAMPLE_HEADER_CONFLICT',
                message: `add_response_headers already sets ${name}; the example plugin leaves this route's value alone (rename the header in the plugin config to have both)`,
                resource: ref,
                path: '/spec/add_response_headers',
              });
            }
            continue;
          }
          route.responseHeadersToAdd = [
            ...(route.responseHeadersToAdd ?? []),
            { key: name, value, append: 'OVERWRITE_IF_EXISTS_OR_ADD' },
          ];
        }
      }
    }
  },
};

function setsHeader(route: IRRoute, name: string): boolean {
  return (route.responseHeadersToAdd ?? []).some((h) => h.key.toLowerCase() === name);
}
