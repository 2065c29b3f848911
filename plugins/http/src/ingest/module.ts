import { formatRef, type PassContext } from '@attache/core';
import { luaSyntaxProblem } from '@attache/envoy-facts';
import { moduleErrorResponses } from '../build/error-responses-parse.js';
import { moduleKeysWithoutEffect, reportModuleKeyProblems } from '../build/module-keys.js';
import { ExtKey, type HttpModule } from '../model.js';
import { ModuleSpec } from '../schemas/module.js';
import { admit } from './admit.js';
import { headerNameProblem } from './header-checks.js';

/** Emissary's default `regex_max_size`. */
const emissaryRegexMaxSize = 200;

/** Reads the `ambassador` Module (earliest by namespace/name if several). */
export function ingestModule(ctx: PassContext): void {
  const module: HttpModule = { config: {} };
  for (const m of admit<ModuleSpec>(
    ctx,
    'Module',
    ModuleSpec,
    {},
    {
      // Keys without effect get MODULE_KEY_NO_EFFECT, with the replacement; not "unknown" too.
      knownAt: { '/spec/config': Object.keys(moduleKeysWithoutEffect) },
      // Each ip_allow/ip_deny entry gets MODULE_IP_INVALID for a wrong key already.
      leaveAlone: (pointer) => /^\/spec\/config\/ip_(allow|deny)\//.test(pointer),
      // Other Modules are ignored whole (MODULE_NAME_UNKNOWN): their fields are not ours to judge.
      skipUnknownFields: (resource) => resource.metadata.name !== 'ambassador',
    },
  )) {
    if (m.name !== 'ambassador') {
      ctx.report({
        code: 'MODULE_NAME_UNKNOWN',
        resource: m.ref,
        path: '/metadata/name',
        message: `Module '${m.name}' is ignored: only the Module named "ambassador" configures the HTTP edge`,
      });
      continue;
    }
    if (module.ref) {
      ctx.report({
        code: 'MODULE_DUPLICATE',
        resource: m.ref,
        path: '/metadata/namespace',
        message: `two ambassador Modules: ${formatRef(module.ref)} is used (first by namespace/name) and this one, ${formatRef(m.ref)}, is ignored; merge them into one`,
      });
      continue;
    }
    module.ref = m.ref;
    module.config = m.spec.config ?? {};
    const lua = module.config.lua_scripts;
    const luaProblem = typeof lua === 'string' ? luaSyntaxProblem(lua) : undefined;
    if (luaProblem) {
      // Envoy would refuse every listener with this filter: only the Lua filter is left out.
      // The rest of the Module (ip_allow, headers, timeouts…) still applies, so a broken
      // script never opens what the Module closes.
      ctx.report({
        code: 'MODULE_LUA_INVALID',
        resource: m.ref,
        path: '/spec/config/lua_scripts',
        message: `spec.config.lua_scripts is not Lua that Envoy's LuaJIT can load (${luaProblem}); Envoy would refuse every listener, so the Lua filter is left out until the script is fixed (the rest of the Module applies)`,
      });
      module.config = { ...module.config, lua_scripts: undefined };
    }
    const serverName = module.config.server_name;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is checked
    if (typeof serverName === 'string' && /[\u0000-\u0008\u000a-\u001f\u007f]/.test(serverName)) {
      // Envoy sends it as the Server header: with CR/LF every listener would be refused
      // (found on a real Envoy: the listener lost its only filter chain). Envoy's default is kept.
      ctx.report({
        code: 'HTTP_HEADER_INVALID',
        resource: m.ref,
        path: '/spec/config/server_name',
        message:
          'spec.config.server_name contains a control character (CR, LF, NUL…); it becomes the Server header, which cannot hold one. Envoy\'s default "envoy" is used instead',
      });
      module.config = { ...module.config, server_name: undefined };
    }
    const hashHeader = module.config.load_balancer?.header;
    const hashHeaderProblem = hashHeader === undefined ? undefined : headerNameProblem(hashHeader, 'match');
    if (hashHeaderProblem) {
      // A Mapping's own load_balancer is checked with the Mapping; the Module's default is dropped alone.
      ctx.report({
        code: 'HTTP_HEADER_INVALID',
        resource: m.ref,
        path: '/spec/config/load_balancer/header',
        message: `spec.config.load_balancer.header ${hashHeaderProblem}; the Module's load_balancer default is not used`,
      });
      module.config = { ...module.config, load_balancer: undefined };
    }
    const errorResponses = moduleErrorResponses(ctx, m.ref, module.config.error_response_overrides);
    if (errorResponses) module.errorResponses = errorResponses;
    reportModuleKeyProblems(ctx, m.ref, module.config);
  }
  ctx.ir.ext[ExtKey.module] = module;
  // Every regex matcher carries the RE2 program-size limit: Envoy's own default
  // (100) would reject regexes Emissary accepts (its default is 200).
  ctx.ir.regexMaxProgramSize = module.config.regex_max_size ?? emissaryRegexMaxSize;
}
