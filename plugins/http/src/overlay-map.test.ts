import { describe, expect, it } from 'vitest';
import { OverlayMap } from './overlay-map.js';

/** A deterministic generator (no Math.random: a failure must reproduce). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('OverlayMap', () => {
  it('answers like a copied map with the same changes, over a chain of overlays', () => {
    const random = lcg(15);
    let plain = new Map<string, number>();
    for (let i = 0; i < 50; i++) plain.set(`k${i}`, i);
    let layered: ReadonlyMap<string, number> = new Map(plain);
    let deepest = 0;
    for (let step = 0; step < 100; step++) {
      const copy = new Map(plain);
      const overlay = new OverlayMap(layered, 4);
      deepest = Math.max(deepest, overlay.depth);
      for (let n = 0; n < 5; n++) {
        const key = `k${Math.floor(random() * 70)}`;
        if (random() < 0.4) {
          expect(overlay.delete(key)).toBe(copy.delete(key));
        } else {
          overlay.set(key, step * 100 + n);
          copy.set(key, step * 100 + n);
        }
      }
      for (let i = 0; i < 70; i++) {
        expect(overlay.get(`k${i}`)).toBe(copy.get(`k${i}`));
        expect(overlay.has(`k${i}`)).toBe(copy.has(`k${i}`));
      }
      if (step % 10 === 0) {
        expect(overlay.size).toBe(copy.size);
        expect(new Map(overlay)).toEqual(copy);
      }
      plain = copy;
      layered = overlay;
    }
    // The chain was flattened on the way (depth bounded by 4).
    expect(deepest).toBe(4);
  });

  it('iterates in the order of layer-by-layer materialization (base order, then new keys), however deep', () => {
    const random = lcg(7);
    const gone = Symbol('gone');
    // The reference: each layer's changes in first-write order, applied as materialize defines it.
    let reference = new Map<string, number>();
    for (let i = 0; i < 30; i++) reference.set(`k${i}`, i);
    let layered: ReadonlyMap<string, number> = new Map(reference);
    for (let step = 0; step < 60; step++) {
      const overlay = new OverlayMap(layered, 6);
      const own = new Map<string, number | typeof gone>();
      for (let n = 0; n < 6; n++) {
        const key = `k${Math.floor(random() * 40)}`;
        if (random() < 0.4) {
          overlay.delete(key);
          own.set(key, gone);
        } else {
          overlay.set(key, step * 100 + n);
          own.set(key, step * 100 + n);
        }
      }
      const next = new Map<string, number>();
      for (const [key, value] of reference) {
        if (!own.has(key)) next.set(key, value);
        else if (own.get(key) !== gone) next.set(key, own.get(key) as number);
      }
      for (const [key, value] of own) if (value !== gone && !reference.has(key)) next.set(key, value);
      reference = next;
      // Not every step: materializing caches the flat map, which a deeper chain then starts from.
      if (step % 7 === 3) expect([...overlay]).toEqual([...reference]);
      layered = overlay;
    }
    expect([...layered]).toEqual([...reference]);
  });
});
