import type { IRRoute } from '@attache/core';
import { noRouteNames } from '../model.js';

/**
 * The kinds of route name a Mapping's routes have (build/routes.ts, memberRoutes): its id alone,
 * `${id}:http` (the insecure route of an XFP Listener), `${id}:https` (the secure one). A set of
 * them is a number of these bits: what a plain compile's build records per Mapping instead of a
 * list of names (ingest/mappings.ts, IngestedMapping.addRouteKinds).
 */
export const RouteKind = { id: 1, http: 2, https: 4 } as const;

/**
 * The kinds of the names of routes memberRoutes made for the Mapping `id`, or -1 when a name has
 * none of their lengths. Judged by length alone: memberRoutes names a route by the id, or the id
 * and ":http" or ":https", and reading a length does not flatten the concatenated strings the
 * names are (comparing their text would, making a flat copy of each, kept with the route).
 */
export function routeKindsOf(routes: readonly IRRoute[], id: string): number {
  let kinds = 0;
  for (let i = 0; i < routes.length; i++) {
    const extra = routes[i]!.name.length - id.length;
    if (extra === 0) kinds |= RouteKind.id;
    else if (extra === 5) kinds |= RouteKind.http;
    else if (extra === 6) kinds |= RouteKind.https;
    else return -1;
  }
  return kinds;
}

/** The sorted names of the route kinds `kinds` of the Mapping `id` (what insertName makes of them). */
export function routeNamesOfKinds(id: string, kinds: number): string[] {
  if (kinds === 0) return noRouteNames;
  const names: string[] = [];
  // Code-unit order: the id is a prefix of the others, and ":http" of ":https".
  if (kinds & RouteKind.id) names.push(id);
  if (kinds & RouteKind.http) names.push(`${id}:http`);
  if (kinds & RouteKind.https) names.push(`${id}:https`);
  return names;
}

/** The sorted, distinct names of one or two routes (what insertName makes of them from an empty list). */
export function namesOf(routes: readonly IRRoute[]): string[] {
  if (routes.length === 0) return [];
  const a = routes[0]!.name;
  if (routes.length === 1) return [a];
  const b = routes[1]!.name;
  return a < b ? [a, b] : b < a ? [b, a] : [a];
}

/** Adds `name` to the sorted list `names` (a Mapping's few route names) unless it is there. */
export function insertName(names: string[], name: string): void {
  let at = names.length;
  while (at > 0 && names[at - 1]! > name) at--;
  if (at > 0 && names[at - 1] === name) return;
  // Moved up by hand: splice would make an array of the removed names (none) every call.
  names.push(name);
  for (let i = names.length - 1; i > at; i--) names[i] = names[i - 1]!;
  names[at] = name;
}
