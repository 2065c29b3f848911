/**
 * The compiler's phases, in order. Each has one job, so a pass's phase says
 * what it may assume about the IR:
 */
export const phases = [
  /** validate + normalise owned resources (schema, v2→v3alpha1, ambassador_id) */
  'ingest',
  /** resolve references (Secrets, Services, resolvers, endpoints) */
  'resolve',
  /** listeners, virtual hosts, routes, clusters */
  'build',
  /** features: HTTP filters, per-route policy, TCP chains */
  'attach',
  /** cluster dedupe, naming, ordering, conflicts, pruning */
  'finalize',
  /** IR → Envoy resources (validated) */
  'lower',
] as const;

export type Phase = (typeof phases)[number];

export function isPhase(value: string): value is Phase {
  return (phases as readonly string[]).includes(value);
}
