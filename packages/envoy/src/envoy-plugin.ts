import {
  type DiagnosticCodeTable,
  definePlugin,
  formatRef,
  type IR,
  type IRCluster,
  type IRListener,
  type IRRouteConfig,
  type PassContext,
  TypeUrl,
  type XdsResource,
} from '@attache/core';
import { type Admission, admitLowered, type Rejection } from './admit.js';
import { RouteConfigText } from './json-text.js';
import { type Json, type LoweredResource, lowerIRSlots, type ResourcePart } from './lower/index.js';
import { keptDanglingLists, type LoweringMemo, loweringMemo } from './lowering-memo.js';
import { danglingReferences } from './references.js';
import { withAcceptedMemo } from './validate-fast.js';

/** The IR facets lowering reads: everything that becomes an Envoy resource. */
export const loweringReads = [
  'ir.listeners',
  'ir.routeConfigs',
  'ir.clusters',
  'ir.endpoints',
  'ir.secrets',
  'ir.accessLoggers',
] as const;

/**
 * Lowers and admits every resource of an IR: the valid ones (without any
 * invalid route or filter chain) as XdsResources, the rest as rejections.
 * Pure; what the `envoy.lower` pass runs, exported for tools and tests.
 */
export function lowerAndValidate(ir: IR, kept?: LoweringMemo): Admission[] {
  return lowerAndAdmit(ir, kept).slots.flatMap((s) => s.admissions);
}

/** One type's admissions, in name order (the last compile's array when nothing in it changed). */
interface AdmittedSlot {
  slot: string;
  /** The IR objects admitted, in name order. */
  sorted: readonly unknown[];
  admissions: Admission[];
  /** When `admissions` is a copy of `from` (the last compile's) with the positions `changed` admitted again. */
  patched?: { from: Admission[]; changed: readonly number[] };
  /** When objects came or went: `admissions[p]` is `last[at[p]]` where `at[p]` >= 0 (the last compile's). */
  merged?: { last: Admission[]; at: readonly number[] };
}

/** lowerAndValidate per type, with the names of the clusters Envoy would refuse. */
function lowerAndAdmit(ir: IR, kept?: LoweringMemo): { slots: AdmittedSlot[]; refused: Set<string> } {
  // Lowering shares route JSON between resources and admission never mutates it (it prunes copies).
  const routeConfigText = new RouteConfigText(kept);
  kept?.admitted.rotate();
  kept?.virtualHosts.rotate();
  return withAcceptedMemo(() => {
    const lowered = lowerIRSlots(ir, kept);
    // (An incremental compiler's memo keeps every route's text already.)
    if (!kept) routeConfigText.noteSharedRoutes(lowered.flatMap((s) => s.lowered));
    const admit = (resource: LoweredResource): Admission => {
      // A resource lowered before (the same object) is admitted as before.
      const known = kept?.admissions.get(resource);
      if (known) return known;
      const admission = admitLowered(resource, routeConfigText, undefined, kept?.admitted);
      if (kept) kept.admissions.set(resource, admission);
      return admission;
    };
    const slots = lowered.map(({ slot, sorted, lowered: resources, changed, from }): AdmittedSlot => {
      const entry = kept?.slots.get(slot);
      const last = entry?.admissions;
      let admissions: Admission[];
      if (last !== undefined && changed !== undefined && changed.length === 0) {
        return { slot, sorted, admissions: last };
      }
      if (last !== undefined && changed !== undefined && last.length === resources.length) {
        admissions = last.slice();
        for (const p of changed) admissions[p] = admit(resources[p]!);
        entry!.admissions = admissions;
        return { slot, sorted, admissions, patched: { from: last, changed } };
      }
      if (last !== undefined && from !== undefined) {
        // Objects came or went: each kept one's admission is at its last position.
        admissions = from.map((i, p) => (i >= 0 ? last[i]! : admit(resources[p]!)));
        if (entry !== undefined) entry.admissions = admissions;
        return { slot, sorted, admissions, merged: { last, at: from } };
      }
      admissions = resources.map(admit);
      if (entry !== undefined) entry.admissions = admissions;
      return { slot, sorted, admissions };
    });
    // A route to a cluster Envoy would refuse would answer 503: the input behind it is left out
    // whole instead (its route too), so traffic falls through to the routes that remain.
    const clusters = lowered.find((s) => s.slot === 'clusters')!;
    const clusterAdmissions = slots.find((s) => s.slot === 'clusters')!.admissions;
    const refused = new Set<string>();
    for (let i = 0; i < clusterAdmissions.length; i++) {
      if (!clusterAdmissions[i]!.resource) refused.add(clusters.lowered[i]!.name);
    }
    if (refused.size === 0) return { slots, refused };
    return {
      slots: slots.map((admitted, s) => {
        if (admitted.slot !== 'routeConfigs') return admitted;
        const resources = lowered[s]!.lowered;
        const admissions = admitted.admissions.map((admission, i) => {
          const leaveOut = routesToRefusedClusters(resources[i]!, refused);
          return leaveOut.size === 0 ? admission : admitLowered(resources[i]!, routeConfigText, leaveOut);
        });
        return { slot: admitted.slot, sorted: admitted.sorted, admissions };
      }),
      refused,
    };
  }, kept?.accepted);
}

/** The clusters a lowered route forwards or mirrors to. */
function routeClusters(route: Json): string[] {
  const action = route.route as Json | undefined;
  if (!action) return [];
  const weighted = (action.weighted_clusters as { clusters?: Array<{ name: string }> } | undefined)?.clusters;
  const mirrors = action.request_mirror_policies as Array<{ cluster?: string }> | undefined;
  return [
    ...(typeof action.cluster === 'string' ? [action.cluster] : []),
    ...(weighted ?? []).map((c) => c.name),
    ...(mirrors ?? []).flatMap((m) => (m.cluster ? [m.cluster] : [])),
  ];
}

function routesToRefusedClusters(
  lowered: LoweredResource,
  refused: ReadonlySet<string>,
): Map<ResourcePart, Rejection> {
  const leaveOut = new Map<ResourcePart, Rejection>();
  for (const part of lowered.parts) {
    if (!part.droppable) continue;
    const route = jsonAt(lowered.resource, part.pointer);
    const cluster = route ? routeClusters(route).find((name) => refused.has(name)) : undefined;
    if (cluster === undefined) continue;
    leaveOut.set(part, {
      refs: part.provenance,
      what: `${part.label} of RouteConfiguration '${lowered.name}'`,
      path: part.pointer,
      issue: `forwards to cluster '${cluster}', which Envoy would reject (see that diagnostic); the route is left out with it rather than answer 503`,
    });
  }
  return leaveOut;
}

function jsonAt(root: Json, pointer: string): Json | undefined {
  let at: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at !== null && typeof at === 'object' ? (at as Json) : undefined;
}

/** The codes this plugin declares (ENVOY_REJECTED itself is core's: the ADS sink reports NACKs with it too). */
export const envoyDiagnosticCodes = {
  ENVOY_REFERENCE_DANGLING: {
    severity: 'warning',
    summary:
      'A generated Envoy resource names a cluster, secret, route config or endpoint set that was not generated (missing or rejected); Envoy accepts it but traffic fails (503/404) or the listener never finishes warming.',
  },
} as const satisfies DiagnosticCodeTable;

function runLowering(ctx: PassContext): void {
  // Under an incremental compiler, routes kept by the http plugin keep their lowering too.
  const kept = ctx.memo ? loweringMemo(ctx.memo, String(ctx.ir.regexMaxProgramSize ?? '')) : undefined;
  const { slots, refused } = lowerAndAdmit(ctx.ir, kept);
  const emitted = new Map<string, Set<string>>();
  let clustersMoved: string[] | undefined;
  for (const { slot, admissions, patched, merged } of slots) {
    // The last compile's admissions of this type (the same array): its names and rejections too.
    const last = kept?.slotNames.get(slot);
    let known = last?.admissions === admissions ? last : undefined;
    if (known === undefined && last !== undefined && patched?.from === last.admissions) {
      // Patched at a few positions: the same names and rejections when those keep their name and have none.
      const same = (a: Admission, b: Admission) =>
        a.resource?.name === b.resource?.name && a.rejections.length === 0 && b.rejections.length === 0;
      // With every admission valid (one resource each, in the same positions), the last list patched.
      if (
        last.resources.length === admissions.length &&
        patched.changed.every((p) => same(patched.from[p]!, admissions[p]!))
      ) {
        const resources = last.resources.slice();
        for (const p of patched.changed) resources[p] = admissions[p]!.resource!;
        known = { admissions, names: last.names, rejections: last.rejections, resources };
        kept?.slotNames.set(slot, known);
      }
    }
    const rejections = known?.rejections ?? admissions.filter((a) => a.rejections.length > 0);
    for (const admission of rejections) {
      for (const rejection of admission.rejections) {
        for (const ref of rejection.refs) {
          ctx.report({
            code: 'ENVOY_REJECTED',
            resource: ref,
            message:
              `Envoy would reject ${rejection.what}, generated from ${formatRef(ref)}: ` +
              `${rejection.path || '(resource)'} ${rejection.issue}; it was left out, fix the field of this resource that produces it`,
          });
        }
      }
    }
    let names = known?.names;
    let resources = known?.resources;
    if (known === undefined && last !== undefined && merged?.last === last.admissions) {
      // Objects came or went: the last names, less those that went, with those that came.
      const patchedNames = mergedNames(last, admissions, merged.at);
      if (patchedNames !== undefined) {
        names = patchedNames.names;
        resources = patchedNames.resources;
        kept?.slotNames.set(slot, { admissions, names, rejections, resources });
        if (slot === 'clusters') clustersMoved = patchedNames.moved;
      }
    }
    if (names === undefined || resources === undefined) {
      names = new Set();
      resources = [];
      for (const admission of admissions) {
        if (!admission.resource) continue;
        names.add(admission.resource.name);
        resources.push(admission.resource);
      }
      kept?.slotNames.set(slot, { admissions, names, rejections, resources });
    }
    // Each type whole, in name order (lowering sorts each type by name).
    if (ctx.emitSorted) ctx.emitSorted(resources);
    else for (const resource of resources) ctx.emit(resource);
    const typeUrl = slotTypes[slot as keyof typeof slotTypes];
    if (names.size > 0) emitted.set(typeUrl, names);
  }
  const clusters = emitted.get(TypeUrl.Cluster);
  // (Clusters merged: the names that moved are mergedNames's; otherwise keptDanglingLists compares the sets.)
  const keptLists = kept ? keptDanglingLists(kept, clusters, refused, emitted, clustersMoved) : undefined;
  // The records as lowering listed them (a record of thousands of keys is slow to list again).
  const listed = (slot: string) => slots.find((s) => s.slot === slot)!.sorted;
  const records = {
    listeners: listed('listeners') as IRListener[],
    routeConfigs: listed('routeConfigs') as IRRouteConfig[],
    clusters: listed('clusters') as IRCluster[],
  };
  for (const dangling of danglingReferences(ctx.ir, emitted, refused, keptLists, keptLists, records)) {
    for (const ref of dangling.refs) {
      ctx.report({ code: 'ENVOY_REFERENCE_DANGLING', resource: ref, message: dangling.message });
    }
  }
}

/**
 * A slot's emitted names and resources when its admissions are the last ones (`last`) with
 * objects come or gone (`admissions[p]` is `last.admissions[at[p]]` where `at[p]` >= 0): the
 * last names without the names of the admissions that went, with those of the new ones, and the
 * names that came or went (not the same name going and coming). Undefined when a name is held
 * twice (the sets could not say which went).
 */
export function mergedNames(
  last: { admissions: readonly Admission[]; names: ReadonlySet<string>; resources: readonly XdsResource[] },
  admissions: readonly Admission[],
  at: readonly number[],
): { names: Set<string>; resources: XdsResource[]; moved: string[] } | undefined {
  if (last.names.size !== last.resources.length) return undefined;
  const stays = new Uint8Array(last.admissions.length);
  const came: string[] = [];
  const resources: XdsResource[] = [];
  for (let p = 0; p < admissions.length; p++) {
    const admission = admissions[p]!;
    const i = at[p]!;
    if (i >= 0) stays[i] = 1;
    const resource = admission.resource;
    if (resource === undefined) continue;
    resources.push(resource);
    if (i < 0) came.push(resource.name);
  }
  const went: string[] = [];
  for (let i = 0; i < stays.length; i++) {
    const resource = last.admissions[i]!.resource;
    if (stays[i] === 0 && resource !== undefined) went.push(resource.name);
  }
  const names = new Set(last.names);
  for (const name of went) names.delete(name);
  for (const name of came) names.add(name);
  if (names.size !== resources.length) return undefined;
  const cameSet = new Set(came);
  const wentSet = new Set(went);
  const moved = [...came.filter((name) => !wentSet.has(name)), ...went.filter((name) => !cameSet.has(name))];
  return { names, resources, moved };
}

/** The type URL of each slot lowerIRSlots gives. */
const slotTypes = {
  secrets: TypeUrl.Secret,
  clusters: TypeUrl.Cluster,
  endpoints: TypeUrl.ClusterLoadAssignment,
  listeners: TypeUrl.Listener,
  routeConfigs: TypeUrl.RouteConfiguration,
} as const;

/**
 * Turns the finished IR into validated Envoy resources. Registered by every
 * distribution: without it a compile produces no Envoy configuration.
 */
export const envoyPlugin = definePlugin({
  id: 'envoy',
  description: 'Lowers the IR to Envoy v3 resources and validates each strictly against the Envoy protos',
  register(reg) {
    reg.diagnostics(envoyDiagnosticCodes);
    reg.pass({
      id: 'envoy.lower',
      phase: 'lower',
      reason: 'runs once the IR is final: it turns it into the Envoy resources sinks deliver',
      reads: loweringReads,
      run: runLowering,
    });
  },
});
