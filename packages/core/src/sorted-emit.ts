import { compareStrings } from './resource.js';
import type { XdsResource } from './xds.js';

/**
 * Checks that `resources` are of one type and in strict name order, as
 * `ctx.emitSorted` requires, and returns why not (undefined when they are).
 *
 * With `before`, the list the same pass emitted for the type last compile
 * (already checked, and never changed: emitted resources are immutable), a pair
 * of neighbours that were neighbours there too is in order without comparing
 * names: only the pairs around what changed are compared, so a list of 20,000
 * that changed in one place costs 20,000 identity comparisons and a few name
 * comparisons. Which pairs were neighbours is followed with a short look-ahead
 * in `before` (a few resources added or removed in one place keep it in step).
 */
export function sortedEmitProblem(
  resources: readonly XdsResource[],
  before?: readonly XdsResource[],
): string | undefined {
  const first = resources[0];
  if (first === undefined) return undefined;
  const typeUrl = first.typeUrl;
  // Where resources[i - 1] stands in `before` (-1: not there, or not known), and where to look next.
  let at = before !== undefined && before[0] === first ? 0 : -1;
  let hint = at + 1;
  for (let i = 1; i < resources.length; i++) {
    const resource = resources[i]!;
    if (resource.typeUrl !== typeUrl) return `emitted ${resource.typeUrl} among ${typeUrl} resources`;
    if (at >= 0 && before![at + 1] === resource) {
      at++;
      hint = at + 1;
      continue;
    }
    const previous = resources[i - 1]!;
    if (compareStrings(previous.name, resource.name) >= 0) {
      return `emitted ${typeUrl} ${resource.name} ${previous.name === resource.name ? 'twice' : 'out of name order'}`;
    }
    at = -1;
    if (before !== undefined) {
      for (let k = hint; k < hint + 4 && k < before.length; k++) {
        if (before[k] === resource) {
          at = k;
          hint = k + 1;
          break;
        }
      }
    }
  }
  return undefined;
}
