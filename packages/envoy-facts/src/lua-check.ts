import luaparse from 'luaparse';

/**
 * Why Envoy's LuaJIT would not load this script, if it would not: Envoy refuses the
 * whole listener update ("script load error: … unexpected symbol near '0'"), so every
 * route behind it would be stuck. luaparse in LuaJIT mode agreed with Envoy 1.39.3 on
 * every script of lua-check.test.ts (LuaJIT's `1LL`, `goto`, hex floats accepted; Lua
 * 5.3's `//`, `&` and 5.4's `<const>` refused).
 *
 * One check for both users: the http plugin (on the Module's field) and the validator in
 * @attache/envoy.
 */
export function luaSyntaxProblem(code: string): string | undefined {
  try {
    luaparse.parse(code, { luaVersion: 'LuaJIT', comments: false, locations: false, scope: false });
    return undefined;
  } catch (error) {
    const e = error as { message?: string; line?: number; column?: number };
    const message = String(e.message ?? error).replace(/^\[\d+:\d+\] /, '');
    return e.line === undefined ? message : `line ${e.line}, column ${(e.column ?? 0) + 1}: ${message}`;
  }
}
