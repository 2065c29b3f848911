import { describe, expect, it } from 'vitest';
import { ScheduleCycleError, schedulePasses } from './scheduler.js';

const pass = (id: string, phase: 'build' | 'attach', reads: string[] = [], writes: string[] = []) => ({
  id,
  phase,
  reads,
  writes,
});

describe('schedulePasses', () => {
  it('runs phases in order whatever the registration order', () => {
    const order = schedulePasses([pass('b.attach', 'attach'), pass('a.build', 'build')]).map((p) => p.id);
    expect(order).toEqual(['a.build', 'b.attach']);
  });

  it('orders writers of a facet before its readers, against id order', () => {
    const order = schedulePasses([
      pass('a.routes', 'build', ['ir.listeners'], ['ir.routeConfigs']),
      pass('z.listeners', 'build', [], ['ir.listeners']),
    ]).map((p) => p.id);
    expect(order).toEqual(['z.listeners', 'a.routes']);
  });

  it('breaks ties by id, not by registration order', () => {
    const forward = schedulePasses([
      pass('x.one', 'build'),
      pass('a.two', 'build'),
      pass('m.three', 'build'),
    ]);
    const backward = schedulePasses([
      pass('m.three', 'build'),
      pass('a.two', 'build'),
      pass('x.one', 'build'),
    ]);
    expect(forward.map((p) => p.id)).toEqual(['a.two', 'm.three', 'x.one']);
    expect(backward.map((p) => p.id)).toEqual(forward.map((p) => p.id));
  });

  it('lets a pass refine a facet it reads and writes without ordering against itself', () => {
    const order = schedulePasses([
      pass('b.refine', 'build', ['ir.clusters'], ['ir.clusters']),
      pass('a.make', 'build', [], ['ir.clusters']),
    ]).map((p) => p.id);
    // Both write ir.clusters and b reads it: a must come first; a does not read, so no back edge.
    expect(order).toEqual(['a.make', 'b.refine']);
  });

  it('reports a cycle naming every pass and facet in it', () => {
    const run = () =>
      schedulePasses([
        pass('p.a', 'build', ['f.c'], ['f.a']),
        pass('p.b', 'build', ['f.a'], ['f.b']),
        pass('p.c', 'build', ['f.b'], ['f.c']),
        pass('p.after', 'build', ['f.c'], []),
      ]);
    expect(run).toThrow(ScheduleCycleError);
    try {
      run();
    } catch (e) {
      const err = e as ScheduleCycleError;
      expect(err.cycle).toEqual(['p.a', 'p.b', 'p.c']);
      expect(err.message).toContain('p.a → p.b → p.c → p.a');
      expect(err.message).toContain("p.c writes 'f.c' read by p.a");
      expect(err.phase).toBe('build');
    }
  });
});
