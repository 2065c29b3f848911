import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type CompileResult, compile, definePlugin, emptyIR, type IR } from '@attache/core';
import { parse, stringify } from 'yaml';
import { envoyPlugin, loweringReads } from '../envoy-plugin.js';

/** Test helpers: compile a hand-built IR with the envoy plugin, and golden files. */

export const testdataUrl = (file: string): URL => new URL(`../testdata/${file}`, import.meta.url);

export function readIR(file: string): IR {
  return { ...emptyIR(), ...(parse(readFileSync(testdataUrl(file), 'utf8')) as Partial<IR>) };
}

/** Runs the real pipeline: a stand-in build pass that installs the IR, then `envoy.lower`. */
export function compileIR(ir: IR): CompileResult {
  const installIR = definePlugin({
    id: 'test-ir',
    register(reg) {
      reg.pass({
        id: 'test-ir.install',
        phase: 'build',
        writes: loweringReads,
        run(ctx) {
          Object.assign(ctx.ir, structuredClone(ir));
        },
      });
    },
  });
  return compile([], [installIR, envoyPlugin]);
}

export function goldenYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Compares with testdata/<file>, or rewrites it when UPDATE_GOLDEN=1. Returns the expected text. */
export function golden(file: string, actual: string): string {
  const url = testdataUrl(file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(url)) {
    writeFileSync(url, actual);
    return actual;
  }
  return readFileSync(url, 'utf8');
}

/** The parts of a compile result that golden files record. */
export function goldenView(result: CompileResult): { resources: unknown[]; diagnostics: unknown[] } {
  return {
    resources: Object.values(result.xds)
      .flat()
      .map((r) => ({
        typeUrl: r.typeUrl,
        name: r.name,
        version: r.version,
        provenance: r.provenance,
        resource: r.resource,
      })),
    diagnostics: result.diagnostics.map((d) => ({ code: d.code, resource: d.resource, message: d.message })),
  };
}
