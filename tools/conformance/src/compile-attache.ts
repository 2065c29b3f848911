import { readFileSync } from 'node:fs';
import {
  type CompileResult,
  compile,
  type Diagnostic,
  type Plugin,
  type StoredResource,
} from '@attache/core';
import { parseAllDocuments } from 'yaml';

export type Compiler = (resources: StoredResource[]) => CompileResult;

/** Multi-document YAML to stored resources, with file and line for diagnostics. */
export function readResources(file: string): StoredResource[] {
  const text = readFileSync(file, 'utf8');
  const out: StoredResource[] = [];
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as unknown;
    if (value === null || typeof value !== 'object') continue;
    const offset = doc.contents?.range?.[0] ?? 0;
    const line = text.slice(0, offset).split('\n').length;
    out.push({
      resource: value as StoredResource['resource'],
      origin: { source: 'conformance', file, line },
    });
  }
  return out;
}

function isPlugin(value: unknown): value is Plugin {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { register?: unknown }).register === 'function'
  );
}

async function pluginsOf(specifier: string): Promise<Plugin[]> {
  const mod = (await import(specifier)) as Record<string, unknown>;
  const found = new Map<string, Plugin>();
  for (const value of [mod.default, ...Object.values(mod)]) {
    if (isPlugin(value) && !found.has(value.id)) found.set(value.id, value);
  }
  if (found.size === 0) throw new Error(`${specifier} exports no plugin (an object with id and register)`);
  return [...found.values()];
}

/**
 * Attaché's compiler as the CLI runs it for HTTP: the HTTP plugin, the gRPC
 * plugin (Mapping `grpc` and the Module's gRPC filters, which Emissary's HTTP
 * model has and the oracle cases use) and the Envoy lowering plugin, found by
 * shape among each package's exports so the runner does not depend on their
 * export names.
 */
export async function loadAttacheCompiler(): Promise<Compiler> {
  const plugins = [
    ...(await pluginsOf('@attache/plugin-http')),
    ...(await pluginsOf('@attache/plugin-feature-grpc')),
    ...(await pluginsOf('@attache/envoy')),
  ];
  return (resources) => compile(resources, plugins);
}

export function errorDiagnostics(result: CompileResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}
