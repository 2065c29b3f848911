import { createIncrementalCompiler } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { collectGarbage, httpListener, storedResource, weakly } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';
import { knownListChange, listChange } from '../list-change.js';
import type { HttpMapping } from '../model.js';
import { ExtKey } from '../model.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const listener = httpListener();
/** A Mapping; with `broken`, its TLSContext does not exist and resolveUpstreams leaves it out. */
const mapping = (i: number, version: number, broken = false) =>
  storedResource({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name: `m${String(i).padStart(2, '0')}`, namespace: 'default' },
    spec: {
      prefix: `/m${i}/`,
      service: `svc-${i}-${version}`,
      hostname: '*',
      ...(broken ? { tls: 'missing' } : {}),
    },
  });

describe('the kept Mapping list change recorded by resolveUpstreams', () => {
  it('is what listChange gives for the published lists, edit after edit (with Mappings left out)', () => {
    const random = lcg(15);
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const present = new Map<number, { version: number; broken: boolean }>();
    for (let i = 0; i < 30; i++) if (random() < 0.7) present.set(i, { version: 0, broken: false });
    const inputs = () => [listener, ...[...present].map(([i, m]) => mapping(i, m.version, m.broken))];
    let before = incremental.compile(inputs()).ir.ext[ExtKey.mappings] as HttpMapping[];
    let recorded = 0;
    let beforeCount = present.size;
    for (let step = 0; step < 300; step++) {
      // One to three edits: add, remove, change a service, break or mend one.
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const i = Math.floor(random() * 30);
        const r = random();
        const m = present.get(i);
        if (m === undefined) present.set(i, { version: step, broken: r < 0.03 });
        else if (r < 0.35) present.delete(i);
        else if (r < 0.95 || !m.broken) m.version = step;
        else m.broken = !m.broken;
      }
      const now = incremental.compile(inputs()).ir.ext[ExtKey.mappings] as HttpMapping[];
      // Recorded by resolveUpstreams, or by the build passes (listChangeOnce) when it could not.
      const once = knownListChange(before, now);
      const fresh = listChange(before, now);
      expect(once).toBeDefined();
      expect(once!.added).toEqual(fresh.added);
      expect(once!.removed).toEqual(fresh.removed);
      // No Mapping left out in either compile: the change is the one resolveUpstreams recorded.
      const whole = before.length === beforeCount && now.length === present.size;
      if (whole) recorded++;
      beforeCount = present.size;
      before = now;
    }
    // Most steps compared two whole lists.
    expect(recorded).toBeGreaterThan(100);
    // And some did not (a Mapping left out before or after).
    expect(recorded).toBeLessThan(300);
  });

  it('does not keep every earlier compile’s Mapping list alive', async () => {
    const incremental = createIncrementalCompiler([httpPlugin, envoyPlugin]);
    const compileWith = (step: number) =>
      incremental.compile([
        listener,
        ...Array.from({ length: 10 }, (_, i) => mapping(i, i === 3 ? step : 0)),
      ]);
    compileWith(0);
    const second = weakly(() => compileWith(1).ir.ext[ExtKey.mappings] as object);
    for (let step = 2; step < 14; step++) compileWith(step);
    await collectGarbage();
    expect(second.deref()).toBeUndefined();
  });
});
