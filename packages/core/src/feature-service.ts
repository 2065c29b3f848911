import { Type } from '@sinclair/typebox';
import { pointerSegment } from './diagnostics.js';
import { requestServices, type ServiceRequest } from './http-model.js';
import type { PassContext } from './plugin.js';
import { type ResourceKind, type ResourceRef, refOf } from './resource.js';

/**
 * Helpers for feature plugins that read Emissary resources themselves
 * (TCPMapping, LogService, TracingService, ...): which ones this instance
 * serves, and the "one service of a kind" rule Emissary applies to LogService
 * and TracingService.
 */

/**
 * Emissary's ambassador_id rule for a resource's `spec.ambassador_id` (`raw`):
 * none (or an empty list) means "default"; otherwise a string or a list that
 * names `ours`. Anything else serves no instance.
 */
export function servesAmbassadorId(raw: unknown, ours: string): boolean {
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}

/**
 * The `ambassador_id` field of a feature resource's schema (TypeBox): a string
 * or a list of strings, read by servesAmbassadorId. One definition, so the CRDs
 * and reference pages generated from each plugin's schema say the same.
 */
export const AmbassadorIdField = Type.Optional(
  Type.Union([Type.String(), Type.Array(Type.String())], {
    description: 'The Attaché/Emissary instances this applies to (default: "default").',
  }),
);

/** Whether a resource's spec (any value) is served by this compilation's ambassador_id. */
export function specServedHere(ctx: Pick<PassContext, 'options'>, spec: unknown): boolean {
  return servesAmbassadorId(
    (spec as { ambassador_id?: unknown } | null | undefined)?.ambassador_id,
    ctx.options.ambassadorId ?? 'default',
  );
}

/** A problem found reading one resource's spec: reported on that resource. */
export interface SpecProblem<Code extends string = string> {
  code: Code;
  path: string;
  message: string;
}

/**
 * One problem per key of `value` that is not a `known` field, at `at`/key:
 * "<what> has no field 'key' (it has a, b); ignored". Emissary ignores
 * unknown fields silently; Attaché names them (a typo is the usual cause).
 */
export function unknownFieldProblems<Code extends string>(
  value: Record<string, unknown>,
  known: readonly string[],
  where: { code: Code; what: string; at: string },
): SpecProblem<Code>[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      code: where.code,
      path: `${where.at}/${pointerSegment(key)}`,
      message: `${where.what} has no field '${key}' (it has ${known.join(', ')}); ignored`,
    }));
}

/** What a service resource must tell about itself to be chosen. */
export interface ServiceConfigBase {
  ref: ResourceRef;
  namespace: string;
}

/**
 * The service resource of `kind` this instance uses: every one it serves is
 * read with `read` (its problems reported on it), and the first usable one
 * by namespace/name wins (resources() is sorted by key); every other usable
 * one gets `conflictCode`, naming the one in use. Undefined: none is usable.
 */
export function firstUsableService<C extends ServiceConfigBase>(
  ctx: PassContext,
  options: {
    kind: ResourceKind;
    /** The kind as users write it, for the conflict message ('LogService'). */
    label: string;
    read: (ref: ResourceRef, spec: unknown) => { config?: C; problems: readonly SpecProblem[] };
    conflictCode: string;
  },
): C | undefined {
  const usable: C[] = [];
  for (const stored of ctx.resources(options.kind)) {
    const resource = stored.resource as { spec?: unknown };
    if (resource === null || typeof resource !== 'object') continue;
    if (!specServedHere(ctx, resource.spec)) continue;
    const ref = refOf(stored.resource, stored.origin);
    const { config, problems } = options.read(ref, resource.spec);
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (config) usable.push(config);
  }
  const [chosen, ...others] = usable;
  for (const other of others) {
    ctx.report({
      code: options.conflictCode,
      resource: other.ref,
      message: `only one ${options.label} is supported; ${chosen!.namespace}/${chosen!.ref.name} (first by namespace/name) is used and this one is ignored; delete one of them`,
    });
  }
  return chosen;
}

/** What a chosen service resource tells about the cluster it needs. */
export interface ServiceClusterSource extends ServiceConfigBase {
  /** Emissary service syntax, from the resource's `spec.service`. */
  service: string;
  /** Emissary `stats_name`. */
  statsName?: string;
}

/**
 * Asks (in ingest) for a cluster to the chosen resource's `spec.service`:
 * request id '<plugin>/<namespace>/<name>', resolved by the HTTP model like a
 * Mapping's service. Returns the request id, under which the grant comes back.
 */
export function requestServiceCluster(
  ctx: Pick<PassContext, 'ir'>,
  plugin: string,
  chosen: ServiceClusterSource,
  cluster: { http2: boolean; namePrefix: string },
): string {
  const request: ServiceRequest = {
    id: `${plugin}/${chosen.namespace}/${chosen.ref.name}`,
    ref: chosen.ref,
    namespace: chosen.namespace,
    service: chosen.service,
    servicePath: '/spec/service',
    http2: cluster.http2,
    namePrefix: cluster.namePrefix,
  };
  if (chosen.statsName !== undefined) request.statsName = chosen.statsName;
  requestServices(ctx.ir.ext, [request]);
  return request.id;
}
