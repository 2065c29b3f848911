import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '@attache/core';
import { afterAll, describe, expect, it } from 'vitest';
import { goldenDiagnostics, goldenSuite, goldenYaml } from './golden.js';

const dir = mkdtempSync(join(tmpdir(), 'attache-golden-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diagnostic: Diagnostic = {
  code: 'WIDGET_BAD',
  severity: 'error',
  message: 'spec.size must be positive',
  resource: { apiVersion: 'getambassador.io/v3alpha1', kind: 'Widget', name: 'w', namespace: 'default' },
  path: '/spec/size',
  origin: { plugin: 'widgets' },
};

/** Runs a suite over `dir` with a recording `it`/`expect`: which tests it made and which assertions failed. */
function runSuite(view: (kinds: string[]) => { out: unknown; diagnostics?: unknown }) {
  const tests: string[] = [];
  const failures: string[] = [];
  goldenSuite(dir, (resources) => view(resources.map((r) => r.resource.kind)), {
    it: (name, fn) => {
      tests.push(name);
      fn();
    },
    expect: (value, message) => ({
      toBeDefined: () => {
        if (value === undefined) failures.push(`${message}`);
      },
      toBe: (expected) => {
        if (value !== expected) failures.push(`${message} differs`);
      },
    }),
  });
  return { tests, failures };
}

describe('golden suite', () => {
  writeFileSync(join(dir, 'b.in.yaml'), 'kind: Widget\n');
  writeFileSync(join(dir, 'a.in.yaml'), 'kind: Gadget\n---\nkind: Widget\n');
  writeFileSync(join(dir, 'a.out.yaml'), goldenYaml(['Gadget', 'Widget']));
  writeFileSync(join(dir, 'b.out.yaml'), goldenYaml(['Widget']));

  it('makes one test per case, by name, and passes when every file matches', () => {
    expect(runSuite((kinds) => ({ out: kinds }))).toEqual({ tests: ['a', 'b'], failures: [] });
  });

  it('fails a case whose output differs, and one whose diagnostics file is missing', () => {
    const { failures } = runSuite((kinds) => ({
      out: kinds.slice(1),
      diagnostics: [goldenDiagnostics([diagnostic])],
    }));
    expect(failures).toEqual([
      'a.out.yaml differs',
      'a.diagnostics.yaml is missing: run with UPDATE_GOLDEN=1 and review it',
      'a.diagnostics.yaml differs',
      'b.out.yaml differs',
      'b.diagnostics.yaml is missing: run with UPDATE_GOLDEN=1 and review it',
      'b.diagnostics.yaml differs',
    ]);
  });

  it('shows a diagnostic by code, severity, resource, path and message', () => {
    expect(goldenDiagnostics([diagnostic])).toEqual([
      {
        code: 'WIDGET_BAD',
        severity: 'error',
        resource: 'Widget default/w',
        path: '/spec/size',
        message: 'spec.size must be positive',
      },
    ]);
  });
});
