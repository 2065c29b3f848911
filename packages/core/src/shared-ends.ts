/**
 * How long the common head and tail of two lists are, by identity: `before[i] === now[i]` for
 * i < head, and the same counting from the ends for `tail`; head + tail never exceeds the shorter
 * list. What lies between is what changed, for lists that keep an unchanged element's object and
 * place (a store's inputs, a kept route table's virtual hosts): one identity comparison per
 * unchanged element.
 */
export function sharedEnds<T>(before: readonly T[], now: readonly T[]): { head: number; tail: number } {
  const shorter = Math.min(before.length, now.length);
  let head = 0;
  while (head < shorter && before[head] === now[head]) head++;
  let tail = 0;
  const b = before.length - 1;
  const n = now.length - 1;
  while (tail < shorter - head && before[b - tail] === now[n - tail]) tail++;
  return { head, tail };
}
