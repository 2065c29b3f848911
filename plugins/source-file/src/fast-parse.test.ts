import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus, exactText, mutate, mutationBases, random, scalars } from './differential.test-helper.js';
import { fastParseResourceFile } from './fast-parse.js';
import { parseResourceFileExactly, sourceId } from './parse-documents.js';

/**
 * The fast reader may decline a file (then the exact parser reads it), but
 * whatever it returns must be what the exact parser returns: the same values
 * (numbers by SameValue, keys in the same order), the same lines, the same
 * diagnostics. These tests compare the two on the repository's YAML, on
 * every scalar spelling the two libraries might read differently, and on
 * thousands of mutated files (fixed seed).
 */

/** Checks one text; true when the fast reader answered (so it was compared). */
function agrees(text: string, name = 'f.yaml'): boolean {
  const fast = fastParseResourceFile(name, text, sourceId);
  if (!fast) return false;
  const exact = parseResourceFileExactly(name, text);
  expect(exactText(fast), `${name}:\n${text.slice(0, 2000)}`).toBe(exactText(exact));
  return true;
}

describe('fastParseResourceFile', () => {
  it('reads most of the repository’s YAML, exactly as the exact parser does', () => {
    let answered = 0;
    for (const path of corpus) if (agrees(readFileSync(path, 'utf8'), path)) answered++;
    expect(corpus.length).toBeGreaterThan(100);
    // It must be worth having: the usual files take the fast way.
    expect(answered).toBeGreaterThan(corpus.length / 2);
  });

  it('reads every scalar spelling as the YAML 1.2 core schema of the exact parser does', () => {
    let answered = 0;
    for (const s of scalars) {
      const texts = [
        `kind: K\nmetadata: {name: a}\nspec:\n  v: ${s}\n  list: [${s}, x]\n  ${s || 'e'}: 1\n`,
        `{"kind": "K", "spec": {"v": ${s || '""'}, "w": [${s || '1'}]}}\n`,
        `---\nkind: K\nspec:\n  - ${s}\n  - "${s}"\n  - '${s}'\n---\n${s}\n`,
      ];
      for (const text of texts) if (agrees(text)) answered++;
    }
    expect(answered).toBeGreaterThan(scalars.length);
  });

  it('gives each document the line its content starts on, and reports non-objects on it', () => {
    const text = '# head\n---\n\n# c\nkind: A\n---\n- 1\n--- {"kind": "B"}\n---\n...\n---\nhello\n---\n';
    expect(agrees(text)).toBe(true);
    const parsed = fastParseResourceFile('f.yaml', text, sourceId)!;
    expect(parsed.resources.map((r) => r.origin.line)).toEqual([5, 8]);
    expect(parsed.diagnostics.map((d) => d.message.split(':').slice(0, 2).join(':'))).toEqual([
      'f.yaml:7',
      'f.yaml:12',
    ]);
  });

  it('leaves to the exact parser what the two libraries read differently', () => {
    const declined = [
      'a: !!set {x}\n',
      'a: &x 1\nb: *x\n',
      '? [a]\n: 1\n',
      '[a]: 1\n',
      '~: 1\n',
      'null: 1\n',
      ': 1\n',
      'a:\n  <<: {b: 1}\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: 1\rb: 2\n',
      `${'k'.repeat(1100)}: 1\n`,
      'kind: List\nitems:\n- {kind: A}\n',
      'a: 1\na: 2\n',
      'a: [1\n',
      '\ta: 1\n',
      // found by the mutation test: each was read differently, or accepted where yaml refuses
      '\t~\n',
      '{~}\n',
      '{{}}\n',
      'a: {insecure: , {action: Route}}\n',
      'a: {x: y, [503]}\n',
      'a: "x"# c\n',
      'a:\n  b: "\nc"\n',
    ];
    for (const text of declined) {
      expect(fastParseResourceFile('f.yaml', text, sourceId), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('agrees on thousands of mutated files, or declines them (fixed seed)', () => {
    const next = random(20261206);
    const bases = mutationBases();
    let compared = 0;
    for (const base of bases) {
      for (let k = 0; k < 40; k++) {
        const text = mutate(base, next);
        if (agrees(text)) compared++;
      }
    }
    expect(compared).toBeGreaterThan(bases.length * 5);
  }, 120_000);
});
