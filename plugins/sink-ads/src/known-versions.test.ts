import { describe, expect, it } from 'vitest';
import { KnownVersions } from './known-versions.js';
import type { EncodedResource } from './xds-codec.js';

function view(entries: Record<string, string>): Map<string, EncodedResource> {
  const empty = new Uint8Array();
  return new Map(
    Object.entries(entries).map(([name, version]) => [
      name,
      { name, version, sotwFragment: empty, deltaFragment: empty },
    ]),
  );
}

describe('KnownVersions', () => {
  it('reads through to a shared base, with departures of its own on top', () => {
    const base = view({ a: '1', b: '2' });
    const known = new KnownVersions();
    expect(known.empty).toBe(true);
    known.rebase(base);
    expect(known.isExactly(base)).toBe(true);
    expect(known.get('a')).toBe('1');
    known.set('c', '3');
    known.delete('a');
    known.set('b', '9');
    expect(known.names().sort()).toEqual(['b', 'c']);
    expect(known.get('a')).toBeUndefined();
    expect(known.get('b')).toBe('9');
    expect(known.isExactly(base)).toBe(false);
    // The base itself is never written to: other streams share it.
    expect(base.get('a')?.version).toBe('1');
    expect(base.get('b')?.version).toBe('2');
    expect(base.has('c')).toBe(false);
  });

  it('a departure undone leaves the stream holding the base exactly again', () => {
    const base = view({ a: '1' });
    const known = new KnownVersions();
    known.rebase(base);
    known.set('a', '2');
    known.set('a', '1');
    expect(known.isExactly(base)).toBe(true);
    known.set('x', '1');
    known.delete('x');
    expect(known.isExactly(base)).toBe(true);
  });

  it('compares by content, and counts every change (epoch)', () => {
    const known = new KnownVersions();
    const epoch = known.epoch;
    known.set('a', '1');
    known.set('b', '2');
    expect(known.epoch).toBeGreaterThan(epoch);
    expect(known.equals(view({ a: '1', b: '2' }))).toBe(true);
    expect(known.equals(view({ a: '1', b: '3' }))).toBe(false);
    expect(known.equals(view({ a: '1' }))).toBe(false);
    known.delete('a');
    known.delete('b');
    expect(known.empty).toBe(true);
    expect(known.size).toBe(0);
  });
});
