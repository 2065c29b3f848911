import { describe, expect, it } from 'vitest';
import { lazyField } from './lazy-field.js';

interface Thing {
  name: string;
  version?: string;
}

describe('lazyField', () => {
  it('computes on the first read only, and keeps the value', () => {
    let runs = 0;
    const thing: Thing = { name: 'a' };
    lazyField(thing, 'version', () => `v${++runs}`);
    expect(runs).toBe(0);
    expect(thing.version).toBe('v1');
    expect(thing.version).toBe('v1');
    expect(runs).toBe(1);
  });

  it('reads like a data property: enumerable, spread, stringified and cloned', () => {
    const thing: Thing = { name: 'a' };
    lazyField(thing, 'version', () => 'v1');
    expect(Object.keys(thing)).toEqual(['name', 'version']);
    expect({ ...thing }).toEqual({ name: 'a', version: 'v1' });
    expect(JSON.parse(JSON.stringify(thing))).toEqual({ name: 'a', version: 'v1' });
    expect(structuredClone(thing)).toEqual({ name: 'a', version: 'v1' });
  });

  it('an assignment replaces the value, and the computation never runs', () => {
    let runs = 0;
    const thing: Thing = { name: 'a' };
    lazyField(thing, 'version', () => `v${++runs}`);
    thing.version = 'set';
    expect(thing.version).toBe('set');
    expect(runs).toBe(0);
  });

  it('an assignment after the first read replaces the kept value', () => {
    const thing: Thing = { name: 'a' };
    lazyField(thing, 'version', () => 'computed');
    expect(thing.version).toBe('computed');
    thing.version = 'set';
    expect(thing.version).toBe('set');
  });
});
