/**
 * "Did you mean …?" for misspelled names: field names, API groups, kinds.
 * Kept here so every plugin suggests the same way.
 */

/** Levenshtein distance, with an adjacent swap counting as one edit (Damerau, optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The edits a name of this length may be away from a candidate and still be "close": 1 up to 4 characters, 2 beyond. */
export function closeEnough(length: number): number {
  return length <= 4 ? 1 : 2;
}

/** Case, `_` and `-` differences are not real differences in a misspelling: `tls_secret` is `tlsSecret`. */
const folded = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

/**
 * The candidate closest to `word`, when one is within a small edit distance
 * (`closeEnough`, after folding case, `_` and `-`); ties go to the candidate
 * first in code-unit order, so the answer is the same on every machine.
 * Undefined when nothing is close, or when `word` is itself a candidate.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const target = folded(word);
  const limit = closeEnough(word.length);
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const distance = folded(candidate) === target ? 0 : editDistance(folded(candidate), target);
    if (distance > limit) continue;
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
