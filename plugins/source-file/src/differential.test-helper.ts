import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the differential tests of the fast readers (fast-parse.test.ts, block-reader.test.ts)
 * share: a value's exact text, the repository's YAML, scalar spellings, and mutated files.
 */

/** A value's text with key order, -0, NaN and undefined kept apart (JSON would merge them). */
export function exactText(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(exactText).join(',')}]`;
  const proto = Object.getPrototypeOf(value) === Object.prototype ? '' : '!proto';
  return `${proto}{${Object.keys(value)
    .map((k) => `${JSON.stringify(k)}:${exactText((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
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

export const corpus = [
  ...yamlFiles(join(repoRoot, 'plugins')),
  ...yamlFiles(join(repoRoot, 'examples')),
  ...yamlFiles(join(repoRoot, 'tests')),
].sort();

/** Deterministic pseudo-random numbers (mulberry32). */
export { seededRandom as random } from '@attache/core';

export const scalars = [
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

/** Pieces the mutation tests insert. */
export const mutationAlphabet = [
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

/** `text` with 1–3 random insertions or deletions. */
export function mutate(text: string, next: () => number): string {
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (text.length + 1));
    const piece = mutationAlphabet[Math.floor(next() * mutationAlphabet.length)]!;
    text =
      next() < 0.3
        ? text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3))
        : text.slice(0, at) + piece + text.slice(at);
  }
  return text;
}

/** The repository's smaller YAML files, the bases of the mutation tests. */
export const mutationBases = (): string[] =>
  corpus
    .map((p) => readFileSync(p, 'utf8'))
    .filter((t) => t.length < 3000)
    .slice(0, 60);
