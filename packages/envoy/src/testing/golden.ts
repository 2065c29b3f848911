import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type CompileResult,
  compile,
  definePlugin,
  emptyIR,
  type IR,
  type Plugin,
  type StoredResource,
} from '@attache/core';
import { parse, stringify } from 'yaml';
import { envoyPlugin, loweringReads } from '../envoy-plugin.js';

/** Test helpers: compile a hand-built IR with the envoy plugin, and golden files. */

export const testdataUrl = (file: string): URL => new URL(`../testdata/${file}`, import.meta.url);

export function readIR(file: string): IR {
  return { ...emptyIR(), ...(parse(readFileSync(testdataUrl(file), 'utf8')) as Partial<IR>) };
}

/**
 * A stand-in build pass that installs the IR `current()` returns, shallowly: the route
 * configurations, lists and routes stay the IR's own objects (object identity kept, as the http
 * plugin keeps unchanged routes), so an incremental compiler sees what stayed the same.
 */
export function installingIR(current: () => IR): Plugin {
  return definePlugin({
    id: 'test-ir',
    register(reg) {
      reg.pass({
        id: 'test-ir.install',
        phase: 'build',
        writes: loweringReads,
        run(ctx) {
          Object.assign(ctx.ir, { ...current() });
        },
      });
    },
  });
}

/** A new input object each compile, so an incremental compiler does not return the last result as is. */
export function freshInputs(): StoredResource[] {
  return [
    {
      resource: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      origin: { source: 'test' },
    },
  ];
}

/** Runs the real pipeline: a stand-in build pass that installs a copy of the IR, then `envoy.lower`. */
export function compileIR(ir: IR): CompileResult {
  return compile([], [installingIR(() => structuredClone(ir)), envoyPlugin]);
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
