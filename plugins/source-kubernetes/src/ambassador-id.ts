/**
 * Emissary's ambassador_id rule: a resource without one belongs to 'default';
 * one with a string or list belongs to those ids; '_automatic_' belongs to all.
 */
export function ambassadorIdsOf(spec: unknown): string[] {
  const raw =
    typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>).ambassador_id : undefined;
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) {
    const ids = raw.filter((v): v is string => typeof v === 'string');
    return ids.length ? ids : ['default'];
  }
  return ['default'];
}

export function servesAmbassadorId(spec: unknown, ours: readonly string[] | undefined): boolean {
  if (ours === undefined) return true;
  const ids = ambassadorIdsOf(spec);
  return ids.includes('_automatic_') || ids.some((id) => ours.includes(id));
}
