import type { HttpRouteSource, IRRoute, ResourceRef } from '@attache/core';

/**
 * The route source (Mapping) whose route names hold a route's name: the last such source in
 * the model's order, which is what an index from every route name to its source gives. The
 * source is looked for first among the route's provenance (the Mapping's ref, as the HTTP model
 * writes it; a route's name is its Mapping's id with a suffix, so one source holds it), so no
 * index of 20,000 route names is built, each a fresh string to hash; a route whose provenance
 * names no such source (another plugin's, or one kept from an earlier compile) is looked up
 * by name in that index, built the first time one is. With `byName`, every route is.
 */
export class RouteSources {
  private readonly positions = new Map<ResourceRef, number>();
  private names: Map<string, number> | undefined;

  constructor(
    private readonly sources: readonly HttpRouteSource[],
    byName = false,
  ) {
    if (byName) this.names = nameIndex(sources);
    else for (let i = 0; i < sources.length; i++) this.positions.set(sources[i]!.ref, i);
  }

  /** The position in the model's route sources of the route's source, or -1. */
  positionOf(route: IRRoute): number {
    const provenance = route.provenance;
    let found = -1;
    for (let i = 0; i < provenance.length; i++) {
      const at = this.positions.get(provenance[i]!);
      if (at !== undefined && at > found && holds(this.sources[at]!.routeNames, route.name)) found = at;
    }
    if (found >= 0) return found;
    this.names ??= nameIndex(this.sources);
    return this.names.get(route.name) ?? -1;
  }
}

function nameIndex(sources: readonly HttpRouteSource[]): Map<string, number> {
  const names = new Map<string, number>();
  for (let i = 0; i < sources.length; i++) for (const name of sources[i]!.routeNames) names.set(name, i);
  return names;
}

function holds(names: readonly string[], name: string): boolean {
  for (let i = 0; i < names.length; i++) if (names[i] === name) return true;
  return false;
}
