import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypeUrl } from '@attache/core';
import { validateResource } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import type { CliIO } from './io.js';

export const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const quickstart = join(repoRoot, 'examples/quickstart');

export async function run(argv: string[], cwd = repoRoot, extra: Partial<CliIO> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    ...extra,
  });
  return { code, stdout, stderr };
}

/** The quickstart plus one Mapping with no service, in a temp dir. */
function quickstartWithBadMapping(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attache-cli-'));
  cpSync(quickstart, dir, { recursive: true });
  writeFileSync(
    join(dir, '40-broken.yaml'),
    [
      '# a Mapping that forgot its service',
      'apiVersion: getambassador.io/v3alpha1',
      'kind: Mapping',
      'metadata:',
      '  name: broken',
      '  namespace: default',
      'spec:',
      '  hostname: "*"',
      '  prefix: /broken/',
      '',
    ].join('\n'),
  );
  return dir;
}

describe('attache compile', () => {
  it('prints Envoy resources for the quickstart that pass strict validation', async () => {
    const { code, stdout, stderr } = await run(['compile', '-f', 'examples/quickstart']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const config = JSON.parse(stdout) as Record<string, Array<Record<string, unknown>>>;
    // Canonical JSON: keys sorted at every level, type URLs included.
    expect(Object.keys(config)).toEqual(Object.values(TypeUrl).sort());
    expect(config[TypeUrl.Listener]!.map((l) => l.name)).toEqual(['default/edge-http', 'default/edge-https']);
    expect(config[TypeUrl.Secret]!.map((s) => s.name)).toEqual(['default/secure-cert']);
    expect(config[TypeUrl.Cluster]!.length).toBe(5);
    for (const list of Object.values(config)) {
      for (const resource of list) expect(validateResource(resource)).toEqual([]);
    }
  });

  it('prints the same bytes every time, in YAML too', async () => {
    const a = await run(['compile', '-f', quickstart, '--format', 'yaml']);
    const b = await run(['compile', '-f', quickstart, '--format', 'yaml']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('default/edge-https');
  });

  it('dumps the IR with --ir', async () => {
    const { code, stdout } = await run(['compile', '-f', quickstart, '--ir']);
    expect(code).toBe(0);
    const ir = JSON.parse(stdout);
    expect(Object.keys(ir.listeners).length).toBe(2);
    expect(Object.keys(ir.clusters).length).toBe(5);
  });

  it('still compiles the good resources when one Mapping is bad, and exits 1', async () => {
    const { code, stdout, stderr } = await run(['compile', '-f', quickstartWithBadMapping()]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/40-broken\.yaml:2: error \w+: Mapping default\/broken \/spec\/service: /);
    const config = JSON.parse(stdout) as Record<string, Array<{ name: string }>>;
    expect(config[TypeUrl.Cluster]!.length).toBe(5);
  });
});

describe('attache compile --schedule', () => {
  it('lists the passes phase by phase, with their facets and reasons', async () => {
    const { code, stdout } = await run(['compile', '--schedule']);
    expect(code).toBe(0);
    const phasesInOrder = stdout
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    const order = ['ingest', 'resolve', 'build', 'attach', 'finalize', 'lower'];
    const ranks = phasesInOrder.map((p) => order.indexOf(p!));
    expect(ranks.every((r) => r >= 0)).toBe(true);
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(stdout).toMatch(/^lower +envoy\.\S+ +reads: /m);
    expect(stdout).toMatch(/^ {9}why: \S/m);
  });
});

describe('attache validate', () => {
  it('passes the quickstart', async () => {
    const { code, stdout } = await run(['validate', '-f', quickstart]);
    expect(code).toBe(0);
    expect(stdout).toBe('no problems found (12 resources read)\n');
  });

  it('names file, line, code, resource and field of a bad Mapping, with a summary, and exits 1', async () => {
    const dir = quickstartWithBadMapping();
    const { code, stdout } = await run(['validate', '-f', dir], dir);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^40-broken\.yaml:2: error [A-Z_]+: Mapping default\/broken \/spec\/service: \S/,
    );
    expect(lines.at(-1)).toMatch(/^1 error, 0 warnings \(13 resources read\)$/);
  });

  it('reports a YAML syntax error with its file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: [Service\nmetadata: x\n');
    const { code, stdout } = await run(['validate', '-f', dir], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^bad\.yaml:\d+:\d+: error SOURCE_ERROR: /);
  });
});

describe('attache (command line)', () => {
  it('explains usage errors with exit code 2', async () => {
    expect((await run(['compile'])).code).toBe(2);
    expect((await run(['compile', '-f', quickstart, '--format', 'xml'])).stderr).toMatch(
      /--format must be json or yaml/,
    );
    expect((await run(['compile', '--bogus'])).code).toBe(2);
    expect((await run(['frobnicate'])).stderr).toMatch(/unknown command 'frobnicate'/);
    expect((await run(['serve', '--ads', 'nowhere'])).stderr).toMatch(/--ads takes HOST:PORT/);
  });
});
