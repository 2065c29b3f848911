/**
 * The next input of a random-step test of an incremental compiler: now and then (1 in 10) the
 * fresh input itself, else the list with one resource replaced, inserted or removed (taken from
 * `fresh`), every other resource the same object in the same order — what a kept path sees.
 * `edited` says which it was.
 */
export function randomInputStep<T>(
  random: () => number,
  resources: readonly T[],
  fresh: readonly T[],
): { next: T[]; edited: boolean } {
  const r = random();
  if (r < 0.1) return { next: fresh.slice(), edited: false };
  const at = Math.floor(random() * resources.length);
  const other = fresh[Math.floor(random() * fresh.length)]!;
  const next = resources.slice();
  if (r < 0.6) next[at] = other;
  else if (r < 0.8) next.splice(at, 0, other);
  else if (next.length > 3) next.splice(at, 1);
  return { next, edited: true };
}
