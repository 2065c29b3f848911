import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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

/** A value's text with key order, -0, NaN and undefined kept apart (JSON would merge them). */
function exactText(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(exactText).join(',')}]`;
  const proto = Object.getPrototypeOf(value) === Object.prototype ? '' : '!proto';
  return `${proto}{${Object.keys(value)
    .map((k) => `${JSON.stringify(k)}:${exactText((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Checks one text; true when the fast reader answered (so it was compared). */
function agrees(text: string, name = 'f.yaml'): boolean {
  const fast = fastParseResourceFile(name, text, sourceId);
  if (!fast) return false;
  const exact = parseResourceFileExactly(name, text);
  expect(exactText(fast), `${name}:\n${text.slice(0, 2000)}`).toBe(exactText(exact));
  return true;
}

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function yamlFiles(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) yamlFiles(path, out);
    else if (/\.ya?ml$/.test(entry) && stat.size < 4_000_000) out.push(path);
  }
  return out;
}

const corpus = [
  ...yamlFiles(join(repoRoot, 'plugins')),
  ...yamlFiles(join(repoRoot, 'examples')),
  ...yamlFiles(join(repoRoot, 'tests')),
].sort();

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const scalars = [
  '',
  'null',
  'Null',
  'NULL',
  'nULL',
  '~',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'FALSE',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  '0',
  '-0',
  '+0',
  '007',
  '-007',
  '+12',
  '0o17',
  '0o8',
  '-0o17',
  '0O17',
  '0x1F',
  '0x1f',
  '0X1F',
  '-0x1',
  '0x',
  '0b101',
  '1_000',
  '12345678901234567890',
  '1.5',
  '1.',
  '.5',
  '-.5',
  '+.5',
  '1.50',
  '+1.5e3',
  '1e3',
  '1E-3',
  '.5e+2',
  '1.e2',
  'e3',
  '.inf',
  '-.Inf',
  '+.INF',
  '.Inf',
  'inf',
  '.nan',
  '.NaN',
  '.NAN',
  '-.nan',
  'NaN',
  '1:2',
  '2001-12-14',
  '12:30:45',
  '=',
  'a b',
  'x#y',
  '0.0.1',
  '0x1.8p1',
  '1,000',
  '$1',
  '%x',
  '@x',
  '`x',
];

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
    const alphabet = [
      ':',
      '-',
      ' ',
      '  ',
      '\n',
      '"',
      "'",
      '{',
      '}',
      '[',
      ']',
      ',',
      '#',
      '|',
      '>',
      '|-',
      '>+',
      '\t',
      '0',
      '.',
      'e',
      'x',
      '~',
      'n',
      'T',
      '\\',
      '\\u00e9',
      '\r\n',
      '---\n',
      '? ',
      '!',
      '&a',
      '*a',
    ];
    const bases = corpus
      .map((p) => readFileSync(p, 'utf8'))
      .filter((t) => t.length < 3000)
      .slice(0, 60);
    let compared = 0;
    for (const base of bases) {
      for (let k = 0; k < 40; k++) {
        let text = base;
        const edits = 1 + Math.floor(next() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(next() * (text.length + 1));
          const piece = alphabet[Math.floor(next() * alphabet.length)]!;
          text =
            next() < 0.3
              ? text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3))
              : text.slice(0, at) + piece + text.slice(at);
        }
        if (agrees(text)) compared++;
      }
    }
    expect(compared).toBeGreaterThan(bases.length * 5);
  }, 120_000);
});
