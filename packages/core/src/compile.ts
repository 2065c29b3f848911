import { envelopeProblem, likelyMeant } from './admit-envelope.js';
import { compareDiagnostics, type Diagnostic, type DiagnosticInput } from './diagnostics.js';
import type { KeptInputOrder, KeyedInput } from './incremental-inputs.js';
import { emptyIR, type IR } from './ir.js';
import type { PassMemoStore } from './pass-memo.js';
import { createPipeline, type Pipeline, type PluginUse } from './pipeline.js';
import type { CompileOptions, PassContext, Plugin } from './plugin.js';
import {
  apiGroup,
  compareStrings,
  keyOfResource,
  kindOf,
  type ResourceKind,
  refOf,
  type StoredResource,
} from './resource.js';
import type { ScheduledPass } from './scheduler.js';
import { emptyXdsResources, type XdsResource, type XdsResources } from './xds.js';

export interface CompileResult {
  ir: IR;
  /** Sorted (resource, path, severity, code). */
  diagnostics: Diagnostic[];
  /** The passes in the order they ran. */
  schedule: ScheduledPass[];
  /** Generated Envoy resources by type URL, each list sorted by name. */
  xds: XdsResources;
}

/**
 * Compiles input resources with a plugin set. Pure and deterministic: no I/O,
 * no clock; the same inputs in any order give the same result.
 */
export function compile(
  resources: readonly StoredResource[],
  plugins: Pipeline | readonly (PluginUse | Plugin)[],
  options: CompileOptions = {},
  session?: CompileSession,
): CompileResult {
  const pipeline = isPipeline(plugins) ? plugins : createPipeline(plugins);
  const diagnostics: Diagnostic[] = [];
  const admittedInputs = admitInputs(
    resources,
    pipeline,
    (d) =>
      diagnostics.push({
        ...d,
        severity: d.severity ?? pipeline.codes.get(d.code)!.severity,
        origin: { plugin: 'core' },
      }),
    session?.inputOrder,
  );
  const byKind = new Map<ResourceKind, StoredResource[]>();
  const inputs: StoredResource[] = [];
  for (const { stored: r, kind } of admittedInputs) {
    inputs.push(r);
    const list = byKind.get(kind);
    if (list) list.push(r);
    else byKind.set(kind, [r]);
  }

  const admitted = diagnostics.length;
  // A pass that throws must leave nothing behind: not its IR edits, diagnostics or emitted
  // resources. Passes are pure and deterministic, so the state before it is rebuilt by running
  // the passes that succeeded before it again; only a failing compile pays for that.
  const failed = new Set<string>();
  const failures: Diagnostic[] = [];
  let state = freshState();
  for (let i = 0; i < pipeline.passes.length; i++) {
    const pass = pipeline.passes[i]!;
    if (failed.has(pass.id)) continue;
    try {
      runPass(pass, state);
    } catch (e) {
      failed.add(pass.id);
      failures.push({
        code: 'PASS_FAILED',
        severity: 'error',
        message: `pass ${pass.id} threw: ${(e as Error).message ?? String(e)}; this is a bug in plugin '${pass.plugin}'; what it changed before throwing was dropped`,
        origin: { plugin: pass.plugin, pass: pass.id },
      });
      // Start again from the admitted inputs; later passes still see which passes failed.
      diagnostics.length = admitted;
      diagnostics.push(...failures);
      state = freshState();
      i = -1;
    }
  }
  const { ir, xds } = state;

  function freshState(): State {
    return { ir: emptyIR(), xds: emptyXdsResources(), emitted: new Map(), sorted: new Set() };
  }

  function runPass(pass: Pipeline['passes'][number], run: State): void {
    const report = (d: DiagnosticInput) => {
      const spec = pipeline.codes.get(d.code);
      if (!spec) {
        throw new Error(
          `pass '${pass.id}' reported undeclared diagnostic code ${d.code}; declare it with reg.diagnostics()`,
        );
      }
      const diag: Diagnostic = {
        code: d.code,
        severity: d.severity ?? spec.severity,
        message: d.message,
        origin: { plugin: pass.plugin, pass: pass.id },
      };
      if (d.resource) diag.resource = d.resource;
      if (d.path !== undefined) diag.path = d.path;
      diagnostics.push(diag);
      memo?.observe(d);
    };
    const memo = session?.memo(pass.id);
    memo?.begin(report);
    const emit = (resource: XdsResource): void => {
      if (pass.phase !== 'lower')
        throw new Error(`pass '${pass.id}' emitted an Envoy resource outside the lower phase`);
      const names = namesOf(run, resource.typeUrl);
      if (names.has(resource.name)) {
        throw new Error(`pass '${pass.id}' emitted ${resource.typeUrl} ${resource.name} twice`);
      }
      names.add(resource.name);
      run.xds[resource.typeUrl].push(resource);
      run.sorted.delete(resource.typeUrl);
    };
    const emitSorted = (resources: readonly XdsResource[]): void => {
      if (pass.phase !== 'lower')
        throw new Error(`pass '${pass.id}' emitted an Envoy resource outside the lower phase`);
      const first = resources[0];
      if (first === undefined) return;
      const typeUrl = first.typeUrl;
      const list = run.xds[typeUrl];
      if (list.length > 0 || run.emitted.has(typeUrl)) {
        // Not the type's first resources: one by one, as emit.
        for (const resource of resources) emit(resource);
        return;
      }
      for (let i = 1; i < resources.length; i++) {
        const resource = resources[i]!;
        if (resource.typeUrl !== typeUrl) {
          throw new Error(`pass '${pass.id}' emitted ${resource.typeUrl} among ${typeUrl} resources`);
        }
        if (compareStrings(resources[i - 1]!.name, resource.name) >= 0) {
          throw new Error(
            `pass '${pass.id}' emitted ${typeUrl} ${resource.name} ${resources[i - 1]!.name === resource.name ? 'twice' : 'out of name order'}`,
          );
        }
      }
      for (const resource of resources) list.push(resource);
      run.sorted.add(typeUrl);
    };
    const ctx: PassContext<unknown> = {
      ir: run.ir,
      config: pass.config,
      options,
      inputs,
      resources: (kind) => byKind.get(kind) ?? [],
      report,
      emit,
      emitSorted,
      diagnostics,
      fields: (kind) => pipeline.fields.get(kind) ?? [],
      ...(memo ? { memo } : {}),
    };
    pass.run(ctx);
  }

  for (const [typeUrl, list] of Object.entries(xds)) {
    // A type emitted whole in name order (emitSorted) is sorted already.
    if (!state.sorted.has(typeUrl)) list.sort((a, b) => compareStrings(a.name, b.name));
  }
  return {
    ir,
    diagnostics: dedupeDiagnostics(diagnostics.sort(compareDiagnostics)),
    schedule: pipeline.passes.map(({ run: _run, config: _config, ...scheduled }) => scheduled),
    xds,
  };
}

/** What the passes of one compile have made: the IR, the Envoy resources and their names. */
interface State {
  ir: IR;
  xds: XdsResources;
  /** Names emitted one by one, per type (emitSorted's lists are checked by their order instead). */
  emitted: Map<string, Set<string>>;
  /** Types emitted whole by emitSorted and nothing else since: in name order already. */
  sorted: Set<string>;
}

/** The names of a type's resources emitted so far (made from its list when emitSorted filled it). */
function namesOf(run: State, typeUrl: string): Set<string> {
  let names = run.emitted.get(typeUrl);
  if (names === undefined) {
    names = new Set(run.xds[typeUrl as keyof XdsResources].map((r) => r.name));
    run.emitted.set(typeUrl, names);
  }
  return names;
}

/** What an incremental compiler keeps between compiles (see incremental-compiler.ts). */
export interface CompileSession {
  /** The memo store of a pass. */
  memo(passId: string): PassMemoStore;
  /** The input order kept between compiles (keys per input object, the order patched). */
  inputOrder?: KeptInputOrder;
}

function isPipeline(value: unknown): value is Pipeline {
  return typeof value === 'object' && value !== null && 'passes' in value && 'codes' in value;
}

/**
 * Checks envelopes, drops duplicates (the one read first wins: earliest source
 * file and line), flags kinds no plugin handles, and sorts by key.
 */
function admitInputs(
  resources: readonly StoredResource[],
  pipeline: Pipeline,
  report: (d: DiagnosticInput) => void,
  kept?: KeptInputOrder,
): Array<{ stored: StoredResource; kind: ResourceKind }> {
  const valid: StoredResource[] = [];
  for (const stored of resources) {
    // An object of the last compiles passed the check then (inputs are not changed in place).
    if (kept?.known(stored)) {
      valid.push(stored);
      continue;
    }
    const r = stored.resource as Partial<StoredResource['resource']> | undefined;
    const problem = envelopeProblem(r);
    if (problem) {
      const name = r?.metadata?.name;
      report({
        code: 'RESOURCE_INVALID',
        message: `${stored.origin.file ?? stored.origin.source}${stored.origin.line ? `:${stored.origin.line}` : ''}: ${problem.message}`,
        resource: {
          apiVersion: String(r?.apiVersion ?? ''),
          kind: String(r?.kind ?? ''),
          name: typeof name === 'string' || typeof name === 'number' ? String(name) : '',
          ...(stored.origin.file ? { source: stored.origin.file } : {}),
        },
        path: problem.path,
      });
      continue;
    }
    valid.push(stored);
  }
  // Keys are computed once: sorting 10,000 resources calls the comparator ~130,000 times.
  const keyed: KeyedInput[] = kept
    ? kept.sort(valid, (stored) => keyOfResource(stored.resource), compareKeyed)
    : valid.map((stored) => ({ stored, key: keyOfResource(stored.resource) })).sort(compareKeyed);
  const admitted: Array<{ stored: StoredResource; kind: ResourceKind }> = [];
  let previous: KeyedInput | undefined;
  for (const entry of keyed) {
    const { stored } = entry;
    if (previous && entry.key === previous.key) {
      report({
        code: 'RESOURCE_DUPLICATE',
        message: `another ${stored.resource.kind} named ${stored.resource.metadata.name} was read first (${previous.stored.origin.file ?? previous.stored.origin.source}); rename one of them`,
        resource: refOf(stored.resource, stored.origin),
        path: '/metadata/name',
      });
      continue;
    }
    // Kept with the input's key under an incremental compiler: one string per input, not one per compile.
    let kind = entry.kind;
    if (kind === undefined) {
      kind = kindOf(stored.resource);
      entry.kind = kind;
    }
    if (!pipeline.owners.has(kind)) reportUnhandled(stored, kind, pipeline, report);
    // The keyed entry is the admitted input (it holds the stored resource and its kind).
    admitted.push(entry as { stored: StoredResource; kind: ResourceKind });
    previous = entry;
  }
  return admitted;
}

/** An input no plugin owns: a kind whose plugin is not loaded, a misspelling, or an unknown kind (consumed kinds are fine). */
function reportUnhandled(
  stored: StoredResource,
  kind: ResourceKind,
  pipeline: Pipeline,
  report: (d: DiagnosticInput) => void,
): void {
  const needs = pipeline.kindPlugins.get(kind);
  const meant =
    needs === undefined && !pipeline.consumed.has(kind)
      ? likelyMeant(stored.resource.apiVersion, stored.resource.kind, [
          ...pipeline.owners.keys(),
          ...pipeline.consumed,
        ])
      : undefined;
  if (needs !== undefined) {
    report({
      code: 'KIND_NEEDS_PLUGIN',
      message: `${stored.resource.kind} needs the ${needs} plugin, which is not loaded, so this resource is ignored; add ${needs} to the distribution (attache.yaml plugins:)`,
      resource: refOf(stored.resource, stored.origin),
      path: '/kind',
    });
  } else if (meant) {
    const group = apiGroup(stored.resource.apiVersion);
    const version = stored.resource.apiVersion.slice(group.length + (group ? 1 : 0));
    report({
      code: 'RESOURCE_KIND_MISSPELLED',
      message:
        meant.group !== group
          ? `no plugin handles API group ${group}: did you mean ${meant.group}? Write apiVersion: ${meant.group}/${version}${meant.kind !== stored.resource.kind ? ` and kind: ${meant.kind}` : ''}; the resource is ignored until then`
          : `no plugin handles kind ${stored.resource.kind} in ${group || 'the core API group'}: did you mean ${meant.kind}? Fix kind; the resource is ignored until then`,
      resource: refOf(stored.resource, stored.origin),
      path: meant.group !== group ? '/apiVersion' : '/kind',
    });
  } else if (!pipeline.consumed.has(kind)) {
    report({
      code: 'RESOURCE_KIND_UNKNOWN',
      message: `no plugin handles ${stored.resource.apiVersion} ${stored.resource.kind}; check apiVersion and kind, or load the plugin that owns it`,
      resource: refOf(stored.resource, stored.origin),
      path: '/kind',
    });
  }
}

function compareKeyed(a: KeyedInput, b: KeyedInput): number {
  return (
    compareStrings(a.key, b.key) ||
    compareStrings(a.stored.origin.file ?? '', b.stored.origin.file ?? '') ||
    (a.stored.origin.line ?? 0) - (b.stored.origin.line ?? 0) ||
    compareStrings(a.stored.resource.apiVersion, b.stored.resource.apiVersion) ||
    compareStrings(JSON.stringify(a.stored.resource), JSON.stringify(b.stored.resource))
  );
}

function dedupeDiagnostics(sorted: Diagnostic[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  let last = '';
  for (const d of sorted) {
    const key = JSON.stringify([d.code, d.resource, d.path, d.message]);
    if (key !== last) out.push(d);
    last = key;
  }
  return out;
}
