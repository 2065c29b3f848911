import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full garbage collection, for tests that prove something is no longer kept alive (a
 * `WeakRef` whose target must be gone). V8's `gc()` is exposed in a fresh context on first use,
 * so no test runner flag is needed. Waits a turn of the event loop first: a promise's frame that
 * has just returned can still hold its locals until then.
 */
export async function collectGarbage(): Promise<void> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

/**
 * A weak reference to what `make` returns, made in a frame of its own: made inline in an async
 * test, the test's own frame could keep the object alive and the check could never fail.
 */
export function weakly<T extends object>(make: () => T): WeakRef<T> {
  return new WeakRef(make());
}
