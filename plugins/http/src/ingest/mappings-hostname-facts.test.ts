import { compile, type Resource, type StoredResource, seededRandom } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { isValidHostGlob } from '../hostglob.js';
import { nonAsciiHostnameMessage } from '../idn.js';
import { httpPlugin } from '../index.js';
import type { FieldProblem } from './header-checks.js';
import { regexFine, regexProblems } from './mappings.js';

const stored = (resource: Resource): StoredResource => ({ resource, origin: { source: 'test' } });

/** A random hostname glob, valid or not, ASCII or not, from a few pieces (so that texts repeat). */
function randomHostname(next: (n: number) => number): string {
  const pieces = ['a', 'b.example', '*', '*.', '.*', 'bücher', 'xn--bcher-kva', ' ', '-', '☃', '.com', '**'];
  let text = '';
  for (let k = 1 + next(3); k > 0; k--) text += pieces[next(pieces.length)];
  return text;
}

describe('ingest-mappings: spec.hostname judged once per text', () => {
  it('reports for every Mapping what isValidHostGlob and nonAsciiHostnameMessage say of its hostname', () => {
    const random = seededRandom(17);
    const next = (n: number) => Math.floor(random() * n);
    const resources: StoredResource[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 600; i++) {
      const name = `m${String(i).padStart(3, '0')}`;
      const hostname = randomHostname(next);
      const spec: Record<string, unknown> = { prefix: `/${name}/`, service: 'svc', hostname };
      if (next(4) === 0) spec.host = 'other.example';
      // The plain computation, per Mapping.
      if (!isValidHostGlob(hostname)) expected.push(`${name} MAPPING_HOSTNAME_INVALID /spec/hostname`);
      const message = nonAsciiHostnameMessage('spec.hostname', hostname);
      if (message) expected.push(`${name} HTTP_HOSTNAME_NOT_ASCII /spec/hostname ${message}`);
      resources.push(
        stored({
          apiVersion: 'getambassador.io/v3alpha1',
          kind: 'Mapping',
          metadata: { name, namespace: 'default' },
          spec,
        }),
      );
    }
    const result = compile(resources, [httpPlugin]);
    const found = result.diagnostics
      .filter((d) => d.path === '/spec/hostname')
      .map((d) =>
        d.code === 'HTTP_HOSTNAME_NOT_ASCII'
          ? `${d.resource?.name} ${d.code} ${d.path} ${d.message}`
          : `${d.resource?.name} ${d.code} ${d.path}`,
      );
    expect(found.sort()).toEqual(expected.sort());
    // Not vacuous: texts repeat (the cache is used), and both verdicts are met both ways.
    const codes = expected.map((e) => e.split(' ')[1]);
    expect(codes.filter((c) => c === 'MAPPING_HOSTNAME_INVALID').length).toBeGreaterThan(50);
    expect(codes.filter((c) => c === 'HTTP_HOSTNAME_NOT_ASCII').length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(900);
    // The authority of a valid glob is one object per text.
    const mappings = result.ir.ext['http.mappings'] as Array<{ authority?: { glob?: string } }> | undefined;
    if (mappings) {
      const byGlob = new Map<string, object>();
      for (const m of mappings) {
        if (m.authority?.glob === undefined) continue;
        const seen = byGlob.get(m.authority.glob);
        if (seen !== undefined) expect(m.authority).toBe(seen);
        else byGlob.set(m.authority.glob, m.authority);
      }
    }
  });
});

describe('regexFine', () => {
  it('is true exactly when regexProblems finds nothing, for random regexes and limits', () => {
    const random = seededRandom(17);
    const next = (n: number) => Math.floor(random() * n);
    const pieces = [
      'a',
      '^',
      '$',
      '[0-9]+',
      '(',
      ')',
      '.*',
      '\\',
      '{500}',
      '[a-z]{50}',
      '\\x{100}',
      'é',
      '|',
      '?',
    ];
    let fine = 0;
    for (let round = 0; round < 3000; round++) {
      let value = '';
      for (let k = next(5); k > 0; k--) value += pieces[next(pieces.length)];
      const limit = [1, 10, 100, 200, 1000][next(5)]!;
      const problems: FieldProblem[] = [];
      regexProblems(value, '/spec/x', 'spec.x', limit, problems);
      expect(regexFine(value, limit), `${value} ${limit}`).toBe(problems.length === 0);
      if (problems.length === 0) fine++;
    }
    // Not vacuous: both answers, often.
    expect(fine).toBeGreaterThan(300);
    expect(fine).toBeLessThan(2700);
  });
});
