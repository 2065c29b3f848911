import { type AdmittedInputs, admitInputs } from './admit-inputs.js';
import { compareDiagnostics, type Diagnostic, type DiagnosticInput } from './diagnostics.js';
import type { KeptInputOrder } from './incremental-inputs.js';
import { emptyIR, type IR } from './ir.js';
import type { KeptAdmission } from './kept-admission.js';
import type { PassMemoStore } from './pass-memo.js';
import { createPipeline, isPipeline, type Pipeline, type PluginUse } from './pipeline.js';
import type { CompileOptions, PassContext, Plugin } from './plugin.js';
import { compareStrings, type StoredResource } from './resource.js';
import type { ScheduledPass } from './scheduler.js';
import { sortedEmitProblem } from './sorted-emit.js';
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
  const { inputs, byKind } = admit(resources, pipeline, session, (d) =>
    diagnostics.push({
      ...d,
      severity: d.severity ?? pipeline.codes.get(d.code)!.severity,
      origin: { plugin: 'core' },
    }),
  );

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
      if (run.xds[typeUrl].length > 0 || run.emitted.has(typeUrl)) {
        // Not the type's first resources: one by one, as emit.
        for (const resource of resources) emit(resource);
        return;
      }
      const lastKey = `${pass.id} ${typeUrl}`;
      const problem = sortedEmitProblem(resources, session?.sortedEmits?.get(lastKey));
      if (problem !== undefined) throw new Error(`pass '${pass.id}' ${problem}`);
      // A copy: the pass may change its array later; results are never changed.
      const list = resources.slice();
      run.xds[typeUrl] = list;
      run.sorted.add(typeUrl);
      session?.sortedEmits?.set(lastKey, list);
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
  /** The admitted inputs kept between compiles (patched when a short stretch of the list changed). */
  admission?: KeptAdmission;
  /** Each pass's last `emitSorted` list per type (by `pass type`): the next one's order is checked against it. */
  sortedEmits?: Map<string, readonly XdsResource[]>;
}

/** The admitted inputs: patched from the session's last ones when it can, else admitted in full (and kept). */
function admit(
  resources: readonly StoredResource[],
  pipeline: Pipeline,
  session: CompileSession | undefined,
  report: (d: DiagnosticInput) => void,
): AdmittedInputs {
  const kept = session?.admission;
  if (kept === undefined) return admitInputs(resources, pipeline, report, session?.inputOrder).admitted;
  const patched = kept.patch(resources, pipeline, report);
  if (patched !== undefined) return patched;
  const notes = new Map<StoredResource, { diagnostics: DiagnosticInput[]; rejected: boolean }>();
  // A rejected object given twice: each copy was reported (the patch keeps one note per object).
  let repeatedRejected = false;
  const { admitted, duplicates } = admitInputs(
    resources,
    pipeline,
    (d, stored) => {
      report(d);
      const noted = notes.get(stored);
      const rejected = d.code === 'RESOURCE_INVALID';
      if (noted === undefined) notes.set(stored, { diagnostics: [d], rejected });
      else {
        repeatedRejected ||= rejected;
        noted.diagnostics.push(d);
      }
    },
    session?.inputOrder,
  );
  kept.remember(resources, admitted, notes, duplicates || repeatedRejected);
  return admitted;
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
