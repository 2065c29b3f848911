import type { PassContext } from '@attache/core';
import { moduleErrorResponses } from '../build/error-responses-parse.js';
import { ExtKey, type HttpModule } from '../model.js';
import { ModuleSpec } from '../schemas/module.js';
import { admit } from './admit.js';

const keysWithoutEffect: Record<string, string> = {
  xff_num_trusted_hops: 'set spec.l7Depth on the Listener instead',
  use_proxy_proto: 'use Listener protocol HTTPPROXY or HTTPSPROXY instead',
  x_forwarded_proto_redirect: "use the Host's requestPolicy.insecure.action: Redirect instead",
};

/** Reads the `ambassador` Module (earliest by namespace/name if several). */
/** Emissary's default `regex_max_size`. */
const emissaryRegexMaxSize = 200;

export function ingestModule(ctx: PassContext): void {
  const module: HttpModule = { config: {} };
  for (const m of admit<ModuleSpec>(ctx, 'Module', ModuleSpec)) {
    if (m.name !== 'ambassador') {
      ctx.report({
        code: 'MODULE_NAME_UNKNOWN',
        resource: m.ref,
        path: '/metadata/name',
        message: `Module '${m.name}' is ignored: only the Module named "ambassador" configures the HTTP edge`,
      });
      continue;
    }
    if (module.ref) continue;
    module.ref = m.ref;
    module.config = m.spec.config ?? {};
    const errorResponses = moduleErrorResponses(ctx, m.ref, module.config.error_response_overrides);
    if (errorResponses) module.errorResponses = errorResponses;
    for (const [key, fix] of Object.entries(keysWithoutEffect)) {
      if ((module.config as Record<string, unknown>)[key] !== undefined) {
        ctx.report({
          code: 'MODULE_KEY_NO_EFFECT',
          resource: m.ref,
          path: `/spec/config/${key}`,
          message: `spec.config.${key} has no effect with v3alpha1 Listeners (as in Emissary); ${fix}`,
        });
      }
    }
  }
  ctx.ir.ext[ExtKey.module] = module;
  // Every regex matcher carries the RE2 program-size limit: Envoy's own default
  // (100) would reject regexes Emissary accepts (its default is 200).
  ctx.ir.regexMaxProgramSize = module.config.regex_max_size ?? emissaryRegexMaxSize;
}
