/**
 * Emissary's ambassador_id rule: a resource without one belongs to the
 * instance "default"; otherwise its id (a string or a list) must name ours.
 */
export function servesAmbassadorId(spec: unknown, ours: string): boolean {
  const raw = (spec as { ambassador_id?: unknown } | undefined)?.ambassador_id;
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}
