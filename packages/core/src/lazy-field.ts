/**
 * Makes `target[key]` a value computed on its first read, then kept: an own, enumerable,
 * configurable accessor, so spreading, `JSON.stringify` and structured cloning (a worker's
 * `postMessage`) read it like a data property, and assigning it replaces the value (the
 * computation is then never run). `compute` is let go once it has run or been overridden, so
 * what it reads need not live as long as `target`.
 *
 * Only for values computed from data that does not change afterwards: the result is never
 * recomputed.
 */
export function lazyField<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let pending: (() => T[K]) | undefined = compute;
  let value: T[K] | undefined;
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get(): T[K] {
      if (pending) {
        value = pending();
        pending = undefined;
      }
      return value as T[K];
    },
    set(next: T[K]) {
      value = next;
      pending = undefined;
    },
  });
}
