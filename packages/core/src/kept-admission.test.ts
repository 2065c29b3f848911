import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { createIncrementalCompiler } from './incremental-compiler.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';
import { seededRandom } from './seeded-random.js';

/** What passes read of the admitted inputs, recorded by a pass in the model plugin. */
interface Seen {
  inputs: StoredResource[];
  byKind: Record<string, StoredResource[]>;
}

function recordingPlugins() {
  const seen: Seen[] = [];
  const model = definePlugin({
    id: 'model',
    owns: ['example.io/Widget', 'example.io/Gizmo'],
    register(reg) {
      reg.delegateKinds({ 'example.io/Gadget': 'feature-gadgets' });
      reg.pass({
        id: 'model.record',
        phase: 'ingest',
        run(ctx) {
          const byKind: Record<string, StoredResource[]> = {};
          for (const kind of [
            'example.io/Widget',
            'example.io/Gizmo',
            'example.io/Gadget',
            'example.io/Gizmos',
          ]) {
            byKind[kind] = [...ctx.resources(kind)];
          }
          seen.push({ inputs: [...ctx.inputs], byKind });
        },
      });
    },
  });
  return { seen, plugins: [model] };
}

const kinds = ['Widget', 'Gizmo', 'Gadget', 'Gizmos'];

/** A random input: mostly well formed, some with a bad envelope, kinds owned, delegated or misspelled. */
function randomInput(random: () => number, serial: number): StoredResource {
  const kind = kinds[Math.floor(random() * kinds.length)]!;
  // Names from a wide space: duplicate keys (admitted in full) are the exception, as in real configs.
  const name = `n${Math.floor(random() * 4000)}`;
  const file = `f${Math.floor(random() * 3)}.yaml`;
  const metadata = random() < 0.05 ? ({} as never) : { name, namespace: random() < 0.5 ? 'a' : 'b' };
  return {
    resource: { apiVersion: 'example.io/v1', kind, metadata, spec: { serial } },
    origin: { source: 'test', file, line: serial },
  };
}

describe('KeptAdmission (an incremental compiler patches the admitted inputs)', () => {
  it('gives passes the inputs, lists by kind and diagnostics a full compile gives, over random edits', () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = seededRandom(seed);
      const incremental = recordingPlugins();
      const full = recordingPlugins();
      const compiler = createIncrementalCompiler(incremental.plugins);
      let serial = 0;
      let list: StoredResource[] = Array.from({ length: 60 }, () => randomInput(random, serial++));
      let patched = 0;
      for (let step = 0; step < 300; step++) {
        const got = compiler.compile(list);
        if (compiler.stats.inputsPatched) patched++;
        const want = compile(list, full.plugins);
        expect(got.diagnostics, `seed ${seed} step ${step}`).toEqual(want.diagnostics);
        expect(incremental.seen.at(-1), `seed ${seed} step ${step}`).toEqual(full.seen.at(-1));
        // Identity too: passes get the stored objects themselves.
        const a = incremental.seen.at(-1)!.inputs;
        const b = full.seen.at(-1)!.inputs;
        expect(a.every((x, i) => x === b[i])).toBe(true);
        list = edit(list, random, () => randomInput(random, serial++));
      }
      // Most steps took the patch (the rest: duplicates, long changed stretches, the first compile).
      expect(patched, `seed ${seed}`).toBeGreaterThan(150);
    }
  });

  it('keeps the list of a kind whose inputs did not change (the same array)', () => {
    const lists: StoredResource[][] = [];
    const plugin = definePlugin({
      id: 'model',
      owns: ['example.io/Widget', 'example.io/Gizmo'],
      register(reg) {
        reg.pass({
          id: 'model.lists',
          phase: 'ingest',
          run(ctx) {
            lists.push(
              ctx.resources('example.io/Gizmo') as StoredResource[],
              ctx.resources('example.io/Widget') as StoredResource[],
            );
          },
        });
      },
    });
    const input = (kind: string, name: string, serial: number): StoredResource => ({
      resource: { apiVersion: 'example.io/v1', kind, metadata: { name }, spec: { serial } },
      origin: { source: 'test', file: 'a.yaml', line: serial },
    });
    const compiler = createIncrementalCompiler([plugin]);
    const list = [input('Gizmo', 'g', 1), input('Widget', 'w1', 2), input('Widget', 'w2', 3)];
    compiler.compile(list);
    compiler.compile([list[0]!, list[1]!, input('Widget', 'w2', 4)]);
    expect(lists[2]).toBe(lists[0]); // Gizmos: untouched
    expect(lists[3]).not.toBe(lists[1]); // Widgets: a new list, the old one unchanged
    expect(lists[1]!.map((s) => s.resource.spec)).toEqual([{ serial: 2 }, { serial: 3 }]);
    expect(lists[3]!.map((s) => s.resource.spec)).toEqual([{ serial: 2 }, { serial: 4 }]);
  });
});

/** One random edit of the kind a store makes (or a harder one): replace, add at the end, delete, move, repeat. */
function edit(list: StoredResource[], random: () => number, fresh: () => StoredResource): StoredResource[] {
  const next = list.slice();
  // A repeated object or key is taken out again after a while (both ways are admitted, in full or patched).
  const keys = next.map(
    (x) => `${x.resource.kind}/${x.resource.metadata?.namespace}/${x.resource.metadata?.name}`,
  );
  const repeated = keys.findIndex((k, i) => keys.indexOf(k) !== i);
  if (repeated >= 0 && random() < 0.3) {
    next.splice(repeated, 1);
    return next;
  }
  const at = Math.floor(random() * next.length);
  const roll = random();
  if (roll < 0.35 && next.length > 0) next[at] = fresh();
  else if (roll < 0.55) next.push(fresh());
  else if (roll < 0.7 && next.length > 1) next.splice(at, 1);
  else if (roll < 0.78) next.splice(at, 0, fresh());
  else if (roll < 0.81 && next.length > 0)
    next.push(next[at]!); // the same object twice
  else if (roll < 0.84 && next.length > 1) next.pop();
  else if (roll < 0.9 && next.length > 2) {
    const [moved] = next.splice(at, 1);
    next.splice(Math.floor(random() * next.length), 0, moved!);
  } else if (roll < 0.95) {
    for (let i = 0; i < 3; i++) next[Math.floor(random() * next.length)] = fresh(); // a few places
  } else {
    next.reverse();
  }
  return next;
}
