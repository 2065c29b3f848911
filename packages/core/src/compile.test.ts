import { describe, expect, it } from 'vitest';
import { compile } from './compile.js';
import { createIncrementalCompiler } from './incremental-compiler.js';
import { definePlugin } from './plugin.js';
import type { StoredResource } from './resource.js';
import { refOf } from './resource.js';
import { TypeUrl } from './xds.js';

const widget = (name: string, size: unknown, file = 'w.yaml', line = 1): StoredResource => ({
  resource: {
    apiVersion: 'example.io/v1',
    kind: 'Widget',
    metadata: { name, namespace: 'default' },
    spec: { size },
  },
  origin: { source: 'test', file, line },
});

/** A toy plugin: every Widget becomes a cluster; a non-numeric size is a user error on that widget. */
const widgets = definePlugin({
  id: 'widgets',
  owns: ['example.io/Widget'],
  register(reg) {
    reg.diagnostics({ WIDGET_SIZE_INVALID: { severity: 'error', summary: 'spec.size must be a number' } });
    reg.pass({
      id: 'widgets.build',
      phase: 'build',
      writes: ['ir.clusters'],
      run(ctx) {
        for (const { resource, origin } of ctx.resources('example.io/Widget')) {
          const size = (resource.spec as { size: unknown }).size;
          if (typeof size !== 'number') {
            ctx.report({
              code: 'WIDGET_SIZE_INVALID',
              message: 'spec.size must be a number; set it to the widget size in bytes',
              resource: refOf(resource, origin),
              path: '/spec/size',
            });
            continue;
          }
          ctx.ir.clusters[resource.metadata.name] = {
            name: resource.metadata.name,
            discovery: 'STATIC',
            targets: [{ host: '127.0.0.1', port: size }],
            provenance: [refOf(resource)],
          };
        }
      },
    });
    reg.pass({
      id: 'widgets.lower',
      phase: 'lower',
      reads: ['ir.clusters'],
      run(ctx) {
        for (const c of Object.values(ctx.ir.clusters)) {
          ctx.emit({
            typeUrl: TypeUrl.Cluster,
            name: c.name,
            resource: { '@type': TypeUrl.Cluster, name: c.name },
            version: c.name,
            provenance: c.provenance,
          });
        }
      },
    });
  },
});

describe('compile', () => {
  it('keeps compiling the good resources when one is bad, with a coded diagnostic on the bad one', () => {
    const result = compile([widget('good', 8080), widget('bad', 'big'), widget('other', 9090)], [widgets]);
    expect(result.xds[TypeUrl.Cluster].map((r) => r.name)).toEqual(['good', 'other']);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      code: 'WIDGET_SIZE_INVALID',
      severity: 'error',
      path: '/spec/size',
      resource: { kind: 'Widget', namespace: 'default', name: 'bad', source: 'w.yaml:1' },
      origin: { plugin: 'widgets', pass: 'widgets.build' },
    });
  });

  it('is deterministic: shuffled input gives identical output', () => {
    const inputs = Array.from({ length: 50 }, (_, i) => widget(`w${i}`, 1000 + i, `f${i % 7}.yaml`, i));
    const a = compile(inputs, [widgets]);
    const shuffled = [...inputs].sort(
      (x, y) => ((x.resource.metadata.name.length * 7 + y.origin.line!) % 3) - 1,
    );
    const b = compile(shuffled.reverse(), [widgets]);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('flags duplicates (first read wins) and kinds no plugin owns', () => {
    const dup = widget('same', 1, 'b.yaml', 5);
    const first = widget('same', 2, 'a.yaml', 9);
    const unknown: StoredResource = {
      resource: { apiVersion: 'other.io/v1', kind: 'Gadget', metadata: { name: 'g' } },
      origin: { source: 'test', file: 'g.yaml', line: 1 },
    };
    const result = compile([dup, first, unknown], [widgets]);
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual([
      'RESOURCE_DUPLICATE',
      'RESOURCE_KIND_UNKNOWN',
    ]);
    const dupDiag = result.diagnostics.find((d) => d.code === 'RESOURCE_DUPLICATE')!;
    expect(dupDiag.resource?.source).toBe('b.yaml:5');
    // The first one read (a.yaml) is the one compiled: port 2.
    expect(result.ir.clusters.same?.targets?.[0]?.port).toBe(2);
  });

  it('hands passes the inputs sorted by key, duplicates by file and line, in any input order', () => {
    // Keys sort in code-unit order ('W' < 'a' < 'é'); three copies of 'dup' in three files.
    const names = ['b', 'a', 'W', 'é', 'a-1', 'a/1', 'dup', 'dup', 'dup', 'z'];
    const inputs = names.map((name, i) => widget(name, i, `f${(i * 7) % 3}.yaml`, 10 - i));
    const seen: string[][] = [];
    const recorder = definePlugin({
      id: 'recorder',
      requires: ['widgets'],
      register(reg) {
        reg.pass({
          id: 'recorder.ingest',
          phase: 'ingest',
          run(ctx) {
            seen.push(ctx.inputs.map((s) => `${s.resource.metadata.name}@${s.origin.file}:${s.origin.line}`));
          },
        });
      },
    });
    const results = [inputs, [...inputs].reverse(), [...inputs.slice(5), ...inputs.slice(0, 5)]].map(
      (order) => compile(order, [widgets, recorder]),
    );
    expect(seen[0]).toEqual([
      'W@f2.yaml:8',
      'a@f1.yaml:9',
      'a-1@f1.yaml:6',
      'a/1@f2.yaml:5',
      'b@f0.yaml:10',
      'dup@f0.yaml:4',
      'z@f0.yaml:1',
      'é@f0.yaml:7',
    ]);
    for (const other of seen.slice(1)) expect(other).toEqual(seen[0]);
    for (const r of results.slice(1)) expect(r.diagnostics).toEqual(results[0]!.diagnostics);
    // dup in f0.yaml:4 (file order) wins; the copies in f1.yaml:3 and f2.yaml:2 are duplicates.
    expect(
      results[0]!.diagnostics.filter((d) => d.code === 'RESOURCE_DUPLICATE').map((d) => d.resource?.source),
    ).toEqual(['f1.yaml:3', 'f2.yaml:2']);
  });

  it('admits inputs kept from compile to compile as a full compile does (incremental compiler)', () => {
    // Kind and envelope verdicts are kept per input object: every compile must still report
    // what a full compile of the same inputs reports, and group inputs by kind the same way.
    const bad: StoredResource = {
      resource: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: {} as never },
      origin: { source: 'test', file: 'x.yaml', line: 3 },
    };
    const unknown: StoredResource = {
      resource: { apiVersion: 'other.io/v1', kind: 'Gadget', metadata: { name: 'g' } },
      origin: { source: 'test', file: 'g.yaml', line: 1 },
    };
    const dup = widget('same', 1, 'b.yaml', 5);
    const first = widget('same', 2, 'a.yaml', 9);
    const incremental = createIncrementalCompiler([widgets]);
    let inputs: StoredResource[] = [bad, unknown, dup, first, widget('ok', 1)];
    for (let step = 0; step < 6; step++) {
      const got = incremental.compile(inputs);
      const want = compile(inputs, [widgets]);
      expect(got.diagnostics).toEqual(want.diagnostics);
      expect(got.xds).toEqual(want.xds);
      expect(got.diagnostics.map((d) => d.code).sort()).toEqual(
        [
          'RESOURCE_DUPLICATE',
          'RESOURCE_INVALID',
          'RESOURCE_KIND_UNKNOWN',
          step % 2 ? 'WIDGET_SIZE_INVALID' : '',
        ].filter(Boolean),
      );
      // A new object each step beside the kept ones (an invalid size on odd steps).
      inputs = [...inputs.slice(0, 5), widget(`w${step}`, step % 2 ? 1 : 'big')];
    }
  });

  it('rejects envelopes without name, naming the field', () => {
    const bad: StoredResource = {
      resource: { apiVersion: 'example.io/v1', kind: 'Widget', metadata: {} as never },
      origin: { source: 'test', file: 'x.yaml', line: 3 },
    };
    const result = compile([bad, widget('ok', 1)], [widgets]);
    expect(result.diagnostics).toMatchObject([{ code: 'RESOURCE_INVALID', path: '/metadata/name' }]);
    expect(result.xds[TypeUrl.Cluster].map((r) => r.name)).toEqual(['ok']);
  });

  it('turns a throwing pass into PASS_FAILED and still runs the others', () => {
    const broken = definePlugin({
      id: 'broken',
      register(reg) {
        reg.pass({
          id: 'broken.explode',
          phase: 'attach',
          run() {
            throw new Error('boom');
          },
        });
      },
    });
    const result = compile([widget('ok', 1)], [widgets, broken]);
    expect(result.diagnostics).toMatchObject([{ code: 'PASS_FAILED', origin: { plugin: 'broken' } }]);
    expect(result.xds[TypeUrl.Cluster]).toHaveLength(1);
  });

  it('returns the schedule it ran', () => {
    const result = compile([], [widgets]);
    expect(result.schedule.map((p) => `${p.phase}:${p.id}`)).toEqual([
      'build:widgets.build',
      'lower:widgets.lower',
    ]);
  });
});

describe('emitSorted', () => {
  const cluster = (name: string) => ({
    typeUrl: TypeUrl.Cluster,
    name,
    resource: { '@type': TypeUrl.Cluster, name },
    version: name,
    provenance: [],
  });
  /** A lower pass that emits the given batches (a list: emitSorted; one name: emit). */
  const emitting = (batches: Array<string[] | string>) =>
    definePlugin({
      id: 'batches',
      register(reg) {
        reg.pass({
          id: 'batches.lower',
          phase: 'lower',
          run(ctx) {
            for (const batch of batches) {
              if (typeof batch === 'string') ctx.emit(cluster(batch));
              else ctx.emitSorted!(batch.map(cluster));
            }
          },
        });
      },
    });
  const names = (batches: Array<string[] | string>) => {
    const result = compile([], [emitting(batches)]);
    return {
      names: result.xds[TypeUrl.Cluster].map((r) => r.name),
      failed: result.diagnostics.filter((d) => d.code === 'PASS_FAILED').map((d) => d.message),
    };
  };

  it('takes a type whole in name order, and what follows one by one, sorted at the end', () => {
    expect(names([['a', 'b', 'c']])).toEqual({ names: ['a', 'b', 'c'], failed: [] });
    expect(names([['b', 'd'], 'a', ['c']])).toEqual({ names: ['a', 'b', 'c', 'd'], failed: [] });
    expect(names(['z', ['a', 'b']])).toEqual({ names: ['a', 'b', 'z'], failed: [] });
  });

  it('refuses what emit refuses: a name twice, and a list out of name order', () => {
    expect(names([['a', 'a']]).failed[0]).toContain(
      'emitted type.googleapis.com/envoy.config.cluster.v3.Cluster a twice',
    );
    expect(names([['b', 'a']]).failed[0]).toContain('out of name order');
    expect(names([['a', 'b'], 'b']).failed[0]).toContain('Cluster b twice');
    expect(names([['a', 'b'], ['b']]).failed[0]).toContain('Cluster b twice');
    expect(names([['a', 'b'], 'b']).names).toEqual([]);
  });

  it('under an incremental compiler, checks each list against the last one and still refuses disorder', () => {
    // The pass keeps its resources between compiles, as lowering does, and changes one place each time.
    const kept = new Map<string, ReturnType<typeof cluster>>();
    let order: string[] = [];
    const plugin = definePlugin({
      id: 'kept',
      owns: ['example.io/Widget'],
      register(reg) {
        reg.pass({
          id: 'kept.lower',
          phase: 'lower',
          run(ctx) {
            ctx.emitSorted!(
              order.map((name) => {
                let r = kept.get(name);
                if (r === undefined) {
                  r = cluster(name);
                  kept.set(name, r);
                }
                return r;
              }),
            );
          },
        });
      },
    });
    const incremental = createIncrementalCompiler([plugin]);
    const run = (names: string[]) => {
      order = names;
      const result = incremental.compile([widget(names.join(','), 1)]);
      return {
        names: result.xds[TypeUrl.Cluster].map((r) => r.name),
        failed: result.diagnostics.filter((d) => d.code === 'PASS_FAILED').map((d) => d.message),
      };
    };
    expect(run(['a', 'c', 'e'])).toEqual({ names: ['a', 'c', 'e'], failed: [] });
    expect(run(['a', 'b', 'c', 'e'])).toEqual({ names: ['a', 'b', 'c', 'e'], failed: [] });
    expect(run(['a', 'b', 'e', 'c']).failed[0]).toContain('Cluster c out of name order');
    expect(run(['a', 'b', 'b', 'c', 'e']).failed[0]).toContain('Cluster b twice');
    expect(run(['a', 'c', 'e', 'f'])).toEqual({ names: ['a', 'c', 'e', 'f'], failed: [] });
  });
});
