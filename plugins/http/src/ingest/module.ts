import type { PassContext } from '@attache/core';
import { moduleErrorResponses } from '../build/error-responses-parse.js';
import { reportModuleKeyProblems } from '../build/module-keys.js';
import { ExtKey, type HttpModule } from '../model.js';
import { ModuleSpec } from '../schemas/module.js';
import { admit } from './admit.js';

/** Emissary's default `regex_max_size`. */
const emissaryRegexMaxSize = 200;

/** Reads the `ambassador` Module (earliest by namespace/name if several). */
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
    reportModuleKeyProblems(ctx, m.ref, module.config);
  }
  ctx.ir.ext[ExtKey.module] = module;
  // Every regex matcher carries the RE2 program-size limit: Envoy's own default
  // (100) would reject regexes Emissary accepts (its default is 200).
  ctx.ir.regexMaxProgramSize = module.config.regex_max_size ?? emissaryRegexMaxSize;
}
