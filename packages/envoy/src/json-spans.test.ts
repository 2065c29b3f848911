import { describe, expect, it } from 'vitest';
import { arrayElements, MalformedJson, objectMembers, withoutMember } from './json-spans.js';

/** A small deterministic PRNG (tests must be reproducible). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const awkward = ['', 'a', '"', '\\', '\\"', '{', '}', '[', ']', ',', ':', '\u2028', 'é', '\n', '\\\\"x'];

function randomValue(rand: () => number, depth: number): unknown {
  const roll = rand();
  if (depth > 3 || roll < 0.3) {
    const scalars = [null, true, false, 0, -1.5e-7, 12345, awkward[Math.floor(rand() * awkward.length)]];
    return scalars[Math.floor(rand() * scalars.length)];
  }
  if (roll < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 4); i > 0; i--) {
    out[`${awkward[Math.floor(rand() * awkward.length)]}${i}`] = randomValue(rand, depth + 1);
  }
  return out;
}

describe('JSON spans', () => {
  it('finds every member and element of random JSON, with or without spaces', () => {
    const rand = prng(3);
    for (let n = 0; n < 500; n++) {
      const object: Record<string, unknown> = {};
      for (let i = 0; i < 1 + Math.floor(rand() * 5); i++)
        object[`k${i}${awkward[i % awkward.length]}`] = randomValue(rand, 0);
      const list = Object.values(object);
      for (const space of [undefined, 1, '\t']) {
        const text = JSON.stringify(object, null, space);
        const { members, end } = objectMembers(text, 0);
        expect(end).toBe(text.length);
        expect(members.map((m) => m.key)).toEqual(Object.keys(object));
        members.forEach((m, i) => {
          expect(JSON.parse(text.slice(m.valueStart, m.valueEnd))).toEqual(list[i]);
          expect(
            JSON.parse(
              text
                .slice(m.start, m.valueEnd)
                .replace(/^("(?:[^"\\]|\\.)*")\s*:/, '{$1:')
                .concat('}'),
            ),
          ).toEqual({
            [m.key]: list[i],
          });
        });
        const arrayText = JSON.stringify(list, null, space);
        const { elements, end: arrayEnd } = arrayElements(arrayText, 0);
        expect(arrayEnd).toBe(arrayText.length);
        expect(elements.map((e) => JSON.parse(arrayText.slice(e.start, e.end)))).toEqual(list);
      }
      // Without spaces, removing a member gives JSON.stringify of the object without it.
      const text = JSON.stringify(object);
      const { members, end } = objectMembers(text, 0);
      members.forEach((m, i) => {
        const { [m.key]: _gone, ...rest } = object;
        expect(withoutMember(text, 0, end, members, i)).toBe(JSON.stringify(rest));
      });
    }
  });

  it('lets a caller read the values it descends into, in the same one pass', () => {
    const value = { a: [{ x: [1, '"]'] }, { x: [] }], b: 'skip', c: [{ x: [2] }] };
    const text = JSON.stringify(value, null, 1);
    const seen: unknown[] = [];
    const { members } = objectMembers(text, 0, (key, at) =>
      key === 'b'
        ? undefined
        : arrayElements(text, at, (start) => {
            const { members: inner, end } = objectMembers(text, start);
            seen.push(JSON.parse(text.slice(inner[0]!.valueStart, inner[0]!.valueEnd)));
            return end;
          }).end,
    );
    expect(members.map((m) => JSON.parse(text.slice(m.valueStart, m.valueEnd)))).toEqual(
      Object.values(value),
    );
    expect(seen).toEqual([[1, '"]'], [], [2]]);
  });

  it('throws MalformedJson on what is not well-formed', () => {
    for (const bad of ['{"a":1', '{"a" 1}', '{"a":}', '{a:1}', '{"a":1,}x', '{"a":"x}', '{"a":[1,2}']) {
      expect(() => objectMembers(bad, 0), bad).toThrow(MalformedJson);
    }
    expect(() => arrayElements('[1,2', 0)).toThrow(MalformedJson);
    expect(() => arrayElements('{}', 0)).toThrow(MalformedJson);
  });
});
