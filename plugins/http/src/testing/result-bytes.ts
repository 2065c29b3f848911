import { type CompileResult, HttpModelExt, readExt } from '@attache/core';

/**
 * What an incremental and a full compile must agree on, as one text: the Envoy resources, the
 * diagnostics and the HTTP model feature plugins read (tests compare it byte for byte).
 */
export function resultBytes(result: CompileResult): string {
  return JSON.stringify({
    xds: result.xds,
    diagnostics: result.diagnostics,
    model: readExt(result.ir, HttpModelExt),
  });
}
