import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { Subscription } from './subscription.js';

describe('Subscription', () => {
  it('SotW: an empty first list is wildcard for Listener/Cluster only, and stays so across empty ACKs', () => {
    const cds = new Subscription(TypeUrl.Cluster);
    cds.replace([]);
    expect(cds.describe()).toEqual(['*']);
    cds.replace([]);
    expect(cds.wildcard).toBe(true);
    cds.replace(['a']);
    expect(cds.describe()).toEqual(['a']);
    // After explicit names, an empty list means nothing, not everything.
    cds.replace([]);
    expect(cds.describe()).toEqual([]);

    const eds = new Subscription(TypeUrl.ClusterLoadAssignment);
    eds.replace([]);
    expect(eds.wildcard).toBe(false);
  });

  it('SotW: the memo key follows the set of names, not their order, and is recomputed after a change', () => {
    const s = new Subscription(TypeUrl.RouteConfiguration);
    s.replace(['b', 'a']);
    const key = s.key();
    s.replace(['b', 'a']);
    expect(s.key()).toBe(key);
    s.replace(['a', 'b']);
    expect(s.key()).toBe(key);
    s.replace(['a', 'b', 'c']);
    expect(s.key()).not.toBe(key);
    expect(s.sortedNames()).toEqual(['a', 'b', 'c']);
    s.replace(['*', 'a']);
    expect(s.describe()).toEqual(['*', 'a']);
  });

  it('SotW: the same list again changes nothing, another list does, and the first list again changes it back', () => {
    const list = ['b', 'a'];
    const s = new Subscription(TypeUrl.ClusterLoadAssignment);
    expect(s.replace(list)).toBe(true);
    expect(s.replace(list)).toBe(false);
    expect(s.replace(['b', 'a'])).toBe(false);
    expect(s.replace(['c'])).toBe(true);
    expect(s.sortedNames()).toEqual(['c']);
    expect(s.replace(list)).toBe(true);
    expect(s.sortedNames()).toEqual(['a', 'b']);
    expect(s.replace(['*', 'a'])).toBe(true);
    expect(s.wildcard).toBe(true);
  });

  it('a view remembered per owner lasts until the subscription changes', () => {
    const s = new Subscription(TypeUrl.ClusterLoadAssignment);
    const owner = {};
    const other = {};
    s.replace(['a', 'b']);
    s.remember(owner, 'view-1');
    // An ACK repeating the list changes nothing: same memo, same key object.
    s.replace(['a', 'b']);
    expect(s.recalled(owner)).toBe('view-1');
    expect(s.recalled(other)).toBeUndefined();
    // Another list forgets it.
    s.replace(['a']);
    expect(s.recalled(owner)).toBeUndefined();

    const d = new Subscription(TypeUrl.Cluster);
    d.update(['x'], []);
    d.remember(owner, 'view-2');
    d.update([], []);
    expect(d.recalled(owner)).toBe('view-2');
    d.update([], ['x']);
    expect(d.recalled(owner)).toBeUndefined();
  });

  it('subscriptions made from one shared request list share their sorted names and key, per type; a later change unshares', () => {
    const list = ['c', 'a', 'b'];
    const one = new Subscription(TypeUrl.ClusterLoadAssignment);
    const two = new Subscription(TypeUrl.ClusterLoadAssignment);
    one.replace(list);
    two.replace(list);
    expect(one.sortedNames()).toEqual(['a', 'b', 'c']);
    expect(two.sortedNames()).toBe(one.sortedNames());
    expect(two.key()).toBe(one.key());
    // The same array for another type is another key.
    const star = ['*'];
    const lds = new Subscription(TypeUrl.Listener);
    const cds = new Subscription(TypeUrl.Cluster);
    lds.replace(star);
    cds.replace(star);
    expect(lds.key()).not.toBe(cds.key());
    expect(lds.key().startsWith(TypeUrl.Listener)).toBe(true);
    expect(cds.key().startsWith(TypeUrl.Cluster)).toBe(true);

    const d1 = new Subscription(TypeUrl.ClusterLoadAssignment);
    const d2 = new Subscription(TypeUrl.ClusterLoadAssignment);
    d1.update(list, []);
    d2.update(list, []);
    expect(d2.sortedNames()).toBe(d1.sortedNames());
    expect(d2.names).toBe(d1.names);
    expect(two.names).toBe(one.names);
    expect(d2.update([], ['b'])).toEqual(['b']);
    expect(d2.sortedNames()).toEqual(['a', 'c']);
    expect([...d2.names].sort()).toEqual(['a', 'c']);
    // The other stream's names are untouched by that change.
    expect(d1.sortedNames()).toEqual(['a', 'b', 'c']);
    expect([...d1.names].sort()).toEqual(['a', 'b', 'c']);
    expect(d1.includes('b')).toBe(true);
    expect(d2.includes('b')).toBe(false);
    // Names added to a non-empty subscription are its own, even from a shared list.
    const z = ['z'];
    d1.update(z, []);
    expect(d1.sortedNames()).toEqual(['a', 'b', 'c', 'z']);
    const d3 = new Subscription(TypeUrl.ClusterLoadAssignment);
    d3.update(z, []);
    expect(d3.sortedNames()).toEqual(['z']);
  });

  it('delta: subscribe/unsubscribe deltas, "*" both ways, and the names dropped', () => {
    const s = new Subscription(TypeUrl.Listener);
    expect(s.update([], [])).toEqual([]);
    expect(s.wildcard).toBe(true);
    s.update(['x', 'y'], ['*']);
    expect(s.describe()).toEqual(['x', 'y']);
    expect(s.update([], ['y', 'nope'])).toEqual(['y']);
    expect(s.describe()).toEqual(['x']);
    expect(s.includes('x')).toBe(true);
    expect(s.includes('y')).toBe(false);
  });
});
