import { afterEach, describe, expect, it } from 'vitest';
import { config, type Harness, settle, startHarness, T, until } from './testdata/fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('responses encoded once and shared by the streams that need them', () => {
  it('SotW: streams subscribed alike get the same response (same nonce, same bytes)', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const streams = [h.client('n1').sotw('ads'), h.client('n2').sotw('ads'), h.client('n3').sotw('ads')];
    for (const s of streams) s.subscribe(T.Cluster, ['*']);
    const first = await Promise.all(streams.map((s) => s.next(T.Cluster)));
    expect(new Set(first.map((r) => r.nonce)).size).toBe(1);
    expect(new Set(first.map((r) => r.versionInfo)).size).toBe(1);
    for (const [i, s] of streams.entries()) s.ack(first[i]!);
    await settle();
    h.server.setSnapshot(config(2, { a: 1, b: 2, c: 3 }));
    const second = await Promise.all(streams.map((s) => s.next(T.Cluster)));
    expect(second.map((r) => r.resources.map((x) => x.name))).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(new Set(second.map((r) => r.nonce)).size).toBe(1);
    expect(second[0]?.nonce).not.toBe(first[0]?.nonce);
  });

  it('delta: streams that hold the same get one shared diff; a reconnect with initial versions joins them after its ACK', async () => {
    h = await startHarness();
    h.server.setSnapshot(config(1, { a: 1, b: 2 }));
    const one = h.client('n1').delta('ads');
    const two = h.client('n2').delta('ads');
    for (const s of [one, two]) s.subscribe(T.Cluster, ['*']);
    const initial = await Promise.all([one.next(T.Cluster), two.next(T.Cluster)]);
    expect(initial[0]?.nonce).toBe(initial[1]?.nonce);
    one.ack(initial[0]!);
    two.ack(initial[1]!);
    // A third client reconnects holding a (stale) b: it is sent only b, in a response of its own.
    const held = Object.fromEntries(initial[0]!.resources.map((r) => [r.name, r.version ?? '']));
    const three = h.client('n3').delta('ads');
    three.subscribe(T.Cluster, ['*'], { a: held.a ?? '', b: 'stale' });
    const own = await three.next(T.Cluster);
    expect(own.resources.map((r) => r.name)).toEqual(['b']);
    expect(own.nonce).not.toBe(initial[0]?.nonce);
    three.ack(own);
    await until(() => h!.server.streams().every((s) => s.types.every((t) => !t.pending)), 'every ACK');
    await settle();

    h.server.setSnapshot(config(2, { a: 1, b: 2, c: 3 }));
    const next = await Promise.all([one, two, three].map((s) => s.next(T.Cluster)));
    for (const r of next) {
      expect(r.resources.map((x) => x.name)).toEqual(['c']);
      expect(r.removed).toEqual([]);
    }
    expect(new Set(next.map((r) => r.nonce)).size).toBe(1);
    for (const [i, s] of [one, two, three].entries()) s.ack(next[i]!);
    await settle();

    // Removal travels in the shared diff too, and nothing is resent that did not change.
    h.server.setSnapshot(config(3, { b: 2, c: 3 }));
    const removal = await Promise.all([one, two, three].map((s) => s.next(T.Cluster)));
    for (const r of removal) {
      expect(r.resources).toEqual([]);
      expect(r.removed).toEqual(['a']);
    }
    for (const [i, s] of [one, two, three].entries()) s.ack(removal[i]!);
    await until(() => Object.keys(three.holds(T.Cluster)).join() === 'b,c', 'client state');
  });
});
