import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codesOf, readBlockYaml } from './block-reader.js';
import {
  corpus,
  exactText,
  mutate,
  mutationAlphabet,
  mutationBases,
  random,
  scalars,
} from './differential.test-helper.js';
import { parseResourceFile, parseResourceFileExactly, sourceId } from './parse-documents.js';

/**
 * The block reader may decline a file (the other readers then read it), but
 * whatever it returns must be what the exact parser returns: the same values
 * (numbers by SameValue, keys in order), the same lines, no diagnostics.
 */
function agrees(text: string, name = 'f.yaml'): boolean {
  const block = readBlockYaml(name, text, sourceId);
  // Given the file's bytes too (as readResourceFile does), it answers the same.
  const fromBytes = readBlockYaml(name, text, sourceId, Buffer.from(text, 'utf8'));
  if (!block) {
    expect(fromBytes, `${name} with its bytes:\n${text.slice(0, 2000)}`).toBeUndefined();
    return false;
  }
  const exact = exactText(parseResourceFileExactly(name, text));
  expect(exactText(block), `${name}:\n${text.slice(0, 2000)}`).toBe(exact);
  expect(exactText(fromBytes), `${name} with its bytes:\n${text.slice(0, 2000)}`).toBe(exact);
  return true;
}

/** A file the way people (and the cli benchmark) write resources: every construct the reader knows. */
const usual = `# routes for the quote service
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: quote-backend
  namespace: default
  labels:
    app.kubernetes.io/name: quote
  annotations: {}
spec:
  hostname: "*"
  prefix: /backend/   # a comment after a value
  rewrite: ''
  service: quote:80
  timeout_ms: 3000
  weight: 0.5
  retry_policy:
    retry_on: 5xx
    num_retries: -3
  headers:
    x-version: "^v[0-9]+$"
    x-path: "C:\\\\dir\\"q\\" \\u00e9\\n"
    x-single: 'it''s # not a comment'
  regex_headers:
  - name: x
    value: y

  cors:
    origins:
      - https://a.example
      -   https://b.example
    max_age: "86400"
  add_request_headers:
    - name: a
      nested:
        deeper: []
    -
      name: b
    - plain value, with commas
    -
  empty:
  bypass_auth: true
  host_redirect: False
  precedence: 0x1F
  ratio: .inf
  case_sensitive: ~
---
---
# only a comment
---
apiVersion: v1
kind: Secret
metadata:
  name: tls
type: kubernetes.io/tls
data:
  tls.crt: LS0tLS1CRUdJTiBDRVJU
`;

describe('readBlockYaml', () => {
  it('reads block YAML with every construct it knows, exactly as the exact parser does', () => {
    expect(agrees(usual)).toBe(true);
    const parsed = readBlockYaml('f.yaml', usual, sourceId)!;
    expect(parsed.resources.map((r) => [r.resource.kind, r.origin.line])).toEqual([
      ['Mapping', 3],
      ['Secret', 52],
    ]);
    const spec = parsed.resources[0]!.resource.spec as Record<string, unknown>;
    expect(spec.headers).toEqual({
      'x-version': '^v[0-9]+$',
      'x-path': 'C:\\dir"q" é\n',
      'x-single': "it's # not a comment",
    });
    expect(spec.add_request_headers).toEqual([
      { name: 'a', nested: { deeper: [] } },
      { name: 'b' },
      'plain value, with commas',
      null,
    ]);
  });

  it('reads keys of the same length and first letter, again and again, each as itself', () => {
    // Keys are taken again from the last one of their length and first character when they match.
    const doc = (i: number) =>
      `kind: Mapping\nmetadata:\n  name: m${i}\nspec:\n  prefix: /${i}\n  policy: p${i}\n  prefiy: y\n  k: 1\n  l: 2\n`;
    const text = Array.from({ length: 4 }, (_, i) => `---\n${doc(i)}`).join('');
    expect(agrees(text)).toBe(true);
    const specs = readBlockYaml('f.yaml', text, sourceId)!.resources.map((r) => r.resource.spec);
    expect(specs[3]).toEqual({ prefix: '/3', policy: 'p3', prefiy: 'y', k: 1, l: 2 });
    expect(Object.keys(specs[2] as object)).toEqual(['prefix', 'policy', 'prefiy', 'k', 'l']);
  });

  it('reads long values of the same length and first character, plain or quoted, each as itself (random, fixed seed)', () => {
    // Long values (13 characters or more) are made from the bytes of an ASCII file, and taken
    // again from the last one of their length and first character when the text is the same.
    const next = random(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const value = () => {
      const length = 11 + Math.floor(next() * 5);
      let v = 's';
      while (v.length < length) v += pick(['a', 'b', 'a', '-', next() < 0.05 ? 'é' : 'a']);
      return v;
    };
    let answered = 0;
    for (let round = 0; round < 200; round++) {
      const lines: string[] = [];
      for (let d = 0; d < 1 + Math.floor(next() * 4); d++) {
        lines.push('---', 'kind: Mapping', 'spec:');
        for (let k = 0; k < 1 + Math.floor(next() * 6); k++) {
          const v = value();
          const spelling = pick([v, `"${v}"`, `'${v}'`, `${v}  # note`, `"${v}" # note`]);
          lines.push(pick([`  k${k}: ${spelling}`, `  k${k}:\n  - ${spelling}\n  - ${value()}`]));
        }
      }
      if (next() < 0.2) lines.push('# é');
      if (agrees(`${lines.join('\n')}\n`)) answered++;
    }
    expect(answered).toBeGreaterThan(150);
  });

  it('reads documents the short way exactly as the long way does, or leaves them to it (random, fixed seed)', () => {
    // Documents made from a few skeletons (so that lines repeat, as the short way expects), with
    // values, keys and lines of every kind the short way takes or leaves, and faults of layout.
    const next = random(16_2026);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const usualValues = [
      'v',
      'team-0',
      'Edge',
      '10',
      '8080',
      'true',
      '/api/v1/svc-0/',
      '"svc-0.team-0:8080"',
      '""',
      '"^v[0-9]+$"',
      'h0.bench.attache.invalid',
      'a.b_c/d',
    ];
    const otherValues = [
      ...['True', 'FALSE', 'null', 'Null', '~', 'nULL', 'truex', 'nullx', 'falsey', 'fals', 't', 'n'],
      ...['007', '0x1F', '0o17', '1_000', '1.5', '.inf', '.5', '+12', '-3', '-x', '- x', '-', '+'],
      ...[
        'a: b',
        'a:b',
        'svc:8080',
        'x:',
        ':x',
        'x #c',
        'x#y',
        '#c',
        'a  ',
        'a ',
        'é',
        'ü:8',
        '?x',
        '@x',
        '`x',
      ],
      ...[
        '"q"',
        '"a\\"b"',
        '"a\\\\b"',
        '"a\\u00e9"',
        '"a" # c',
        '"a"b',
        '"a"  ',
        '"a',
        '"a"b"',
        "'s'",
        "'it''s'",
        "''",
      ],
      ...['{}', '[]', '{a: 1}', '*a', '&a b', '!t x', '|', '>', 'abcdefghijklmnopq', '"abcdefghijklmnopq"'],
      ...['0', '00', '0123', '1e3', '12345678901234', '-0', 'nan', '.NaN', 'yes', 'off'],
    ];
    const keys = ['apiVersion', 'kind', 'name', 'spec', 'prefix', 'a', 'b.c', 'x-y', '_k', 'k1'];
    const otherKeys = ['True', 'null', '__proto__', '"q"', 'a b', '1a', 'a:b', 'é'];
    type Skeleton = { key: string; value?: Skeleton; seq?: boolean; items?: Skeleton[] }[];
    let fault = 1;
    const skeleton = (depth: number): Skeleton => {
      const lines: Skeleton = [];
      const count = 1 + Math.floor(next() * 4);
      const unused = [...keys];
      for (let k = 0; k < count; k++) {
        // Each key once in a mapping, but now and then a key twice or one the reader refuses.
        const key =
          next() < 0.02
            ? pick(otherKeys)
            : next() < 0.02
              ? pick(keys)
              : unused.splice(Math.floor(next() * unused.length), 1)[0]!;
        const r = next();
        if (depth < 3 && r < 0.25) lines.push({ key, value: skeleton(depth + 1) });
        else if (r >= 0.25 && r < 0.25 + 0.03 * fault) lines.push({ key, seq: true });
        else if (depth < 3 && r >= 0.28 && r < 0.4)
          lines.push({
            key,
            items: Array.from({ length: 1 + Math.floor(next() * 3) }, () => skeleton(depth + 1)),
          });
        else lines.push({ key });
      }
      return lines;
    };
    // Every other file has few faults, so that whole files of nested mappings and sequences are
    // read the short way alone (with the usual rates nearly every file has one somewhere).
    const value = () => (next() < 1 - 0.05 * fault ? pick(usualValues) : pick(otherValues));
    const write = (lines: Skeleton, indent: string, out: string[]) => {
      for (const line of lines) {
        if (next() < 0.01 * fault)
          out.push(pick(['', '# c', `${indent}# c`, `${indent} x: 1`, `${indent}- i`]));
        if (line.value) {
          out.push(`${indent}${line.key}:${next() < 0.02 * fault ? pick([' ', ' # c', '  ']) : ''}`);
          if (next() < 0.05) continue; // no value under it: null, or the next key indented less
          write(line.value, indent + pick(['  ', '  ', '    ', ' ']), out);
        } else if (line.items) {
          // A sequence of mappings: each item's first key after its dash, the others under it
          // (at the key's column, or now and then a column off), the dashes at the key's column
          // or indented more; now and then an item of another form.
          out.push(`${indent}${line.key}:`);
          const dash = pick([indent, `${indent}  `, `${indent}  `, `${indent} `]);
          for (const item of line.items) {
            const gap = next() < 0.9 ? ' ' : '  ';
            const under = `${dash} ${gap}`;
            const lines: string[] = [];
            write(item, next() < 1 - 0.03 * fault ? under : pick([`${under} `, under.slice(1)]), lines);
            if (lines.length === 0 || next() < 0.03 * fault) {
              out.push(`${dash}${pick(['- x', '- - a: 1', '-', '-a: 1', '- "q": 1'])}`);
              continue;
            }
            lines[0] = `${dash}-${gap}${lines[0]!.trimStart()}`;
            out.push(...lines);
          }
        } else if (line.seq) {
          out.push(`${indent}${line.key}:`);
          const dash = next() < 0.5 ? indent : `${indent}  `;
          out.push(`${dash}- ${value()}`, `${dash}- ${line.key}: ${value()}`);
        } else out.push(`${indent}${line.key}:${next() < 1 - 0.02 * fault ? ' ' : '  '}${value()}`);
      }
    };
    let answered = 0;
    let documents = 0;
    let shortAlone = 0;
    let shortSequences = 0;
    for (let round = 0; round < 400; round++) {
      fault = round % 2 === 0 ? 1 : 0.1;
      const skeletons = Array.from({ length: 1 + Math.floor(next() * 3) }, () => skeleton(0));
      const out: string[] = [];
      if (next() < 0.2) out.push(pick(['# head', '---', '']));
      const count = 1 + Math.floor(next() * 12);
      for (let d = 0; d < count; d++) {
        if (d > 0 || next() < 0.5)
          out.push(next() < 0.97 ? '---' : pick(['--- x', '---  ', '...', '', '----']));
        if (next() < 0.03) out.push('---');
        if (next() < 0.02) out.push('kind: List');
        write(pick(skeletons), '', out);
      }
      const text = out.join('\n') + (next() < 0.9 ? '\n' : '');
      const short = readBlockYaml('f.yaml', text, sourceId);
      const long = readBlockYaml('f.yaml', text, sourceId, undefined, false);
      expect(short === undefined ? 'declined' : exactText(short), text).toBe(
        long === undefined ? 'declined' : exactText(long),
      );
      // The short way's character codes: the text's, at the same offsets, any above ASCII as 0x80.
      const codes = codesOf(text, undefined);
      expect(codes.length).toBe(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (codes[i] !== Math.min(c, 0x80)) expect([i, codes[i]]).toEqual([i, c]);
      }
      // The documents the short way reads alone from the start: as the long way reads them.
      const only = readBlockYaml('f.yaml', text, sourceId, undefined, 'only')!.resources;
      if (long !== undefined) {
        expect(exactText(only), text).toBe(exactText(long.resources.slice(0, only.length)));
        shortAlone += only.length;
        shortSequences += only.filter((r) => /\[\{/.test(JSON.stringify(r.resource))).length;
      }
      if (agrees(text)) {
        answered++;
        documents += short!.resources.length;
      }
    }
    expect(answered).toBeGreaterThan(100);
    expect(documents).toBeGreaterThan(500);
    expect(shortAlone).toBeGreaterThan(450);
    expect(shortSequences).toBeGreaterThan(80);
  });

  it('reads what the repository’s block YAML files hold, exactly as the exact parser does', () => {
    let answered = 0;
    for (const path of corpus) if (agrees(readFileSync(path, 'utf8'), path)) answered++;
    expect(corpus.length).toBeGreaterThan(100);
    // Most of the corpus is test input in flow style ({a: 1}), which it leaves to the others.
    expect(answered).toBeGreaterThan(50);
  });

  it('reads every scalar spelling as the YAML 1.2 core schema of the exact parser does', () => {
    let answered = 0;
    for (const s of scalars) {
      const texts = [
        `kind: K\nspec:\n  v: ${s}\n  w: "${s}"\n  x: '${s}'\n  list:\n  - ${s}\n  - -${s}\n`,
        `kind: K\nspec:\n  ${s || 'e'}: 1\n`,
      ];
      for (const text of texts) if (agrees(text)) answered++;
    }
    expect(answered).toBeGreaterThan(scalars.length);
  });

  it('leaves everything else to the other readers', () => {
    const declined = [
      'kind: A\nspec: {a: 1}\n',
      'kind: A\nspec: [1]\n',
      'kind: A\nspec: |\n  text\n',
      'kind: A\nspec: >-\n  text\n',
      'kind: A\nspec: two\n  lines\n',
      'kind: A\nspec: "two\n  lines"\n',
      "kind: A\nspec: 'open\n",
      'kind: A\nspec: &x 1\nb: *x\n',
      'kind: A\nspec: !!str 1\n',
      'kind: A\r\nspec: 1\r\n',
      'kind: A\nspec:\n\tb: 1\n',
      'kind: A\nkind: B\n',
      'kind: A\nTrue: 1\n',
      'kind: A\nnull: 1\n',
      'kind: A\n__proto__: 1\n',
      '"kind": A\n',
      'kind: A\nspec:\n    a: 1\n  b: 2\n',
      'kind: A\nspec:\n  a: 1\n   b: 2\n',
      'kind: A\nspec:\n  - a\n  b: 1\n',
      'kind: A\nspec:\n- - a\n',
      'kind: A\nspec: a: b\n',
      'kind: A\nspec: a:\n',
      'kind: A\nspec: "a"b\n',
      'kind: A\nspec: "a"#b\n',
      'kind: A\nspec: "\\x41"\n',
      'kind: A\nspec: "\\ud83d\\ude00"\n',
      'kind: A\nspec: - a\n',
      'kind: A\nspec: ?a\n',
      'kind: A\nspec: @a\n',
      '--- kind: A\n',
      '---\nkind: A\n...\n',
      '%YAML 1.2\n---\nkind: A\n',
      '- kind: A\n',
      'just text\n',
      '  kind: A\n',
      'kind: List\nitems:\n- kind: A\n',
      `kind: A\n${'k'.repeat(1100)}: 1\n`,
      '\ufeffkind: A\n',
      'kind: A\nspec: a\u2028b\n',
    ];
    for (const text of declined) {
      expect(readBlockYaml('f.yaml', text, sourceId), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('leaves broken files to the exact parser, whose diagnostics keep their line and column', () => {
    const text = 'kind: Mapping\nmetadata:\n  name: a\n spec: 1\n';
    expect(readBlockYaml('f.yaml', text, sourceId)).toBeUndefined();
    const parsed = parseResourceFile('f.yaml', text);
    expect(parsed).toEqual(parseResourceFileExactly('f.yaml', text));
    expect(parsed.syntaxError).toBe(true);
    expect(parsed.diagnostics[0]!.message).toMatch(/^f\.yaml:4:\d+: /);
  });

  it('agrees on thousands of mutated files, or declines them (fixed seed)', () => {
    const next = random(20261206);
    // The repository's files, and the usual file with the pieces that change block structure most.
    const blockPieces = [...mutationAlphabet, '- ', ':', ' ', '  ', '\n', '\n  ', '"', "'", '\\', ' #', '0'];
    let compared = 0;
    let comparedUsual = 0;
    for (const base of [...mutationBases(), usual]) {
      const rounds = base === usual ? 6000 : 60;
      for (let k = 0; k < rounds; k++) {
        let text = mutate(base, next);
        if (base === usual) {
          const at = Math.floor(next() * (text.length + 1));
          const piece = blockPieces[Math.floor(next() * blockPieces.length)]!;
          text = text.slice(0, at) + piece + text.slice(at);
        }
        if (agrees(text)) {
          compared++;
          if (base === usual) comparedUsual++;
        }
      }
    }
    expect(comparedUsual).toBeGreaterThan(500);
    expect(compared).toBeGreaterThan(comparedUsual);
  }, 120_000);
});
