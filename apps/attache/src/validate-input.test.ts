import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const quickstart = resolve(fileURLToPath(new URL('../../../examples/quickstart', import.meta.url)));

async function validate(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['validate', ...args], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
  });
  return { code, stdout, stderr };
}

/** Files laid out as the kubelet mounts a ConfigMap: each a link through `..data` to a hidden timestamped directory. */
function configMapMount(dir: string, files: Record<string, string>): void {
  const stamped = '..2026_12_06_07_00_00.000000001';
  mkdirSync(join(dir, stamped));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, stamped, name), text);
  symlinkSync(stamped, join(dir, '..data'));
  for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'attache-validate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const misspelled = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: http, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: example, namespace: default}
spec:
  hostname: example.com
  tlsSecrett: {name: example-cert}
  requestPolicy: {insecure: {action: Route}}
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: quote, namespace: default}
spec:
  hostname: "*"
  prefix: /quote/
  service: quote
  timout_ms: 3000
  totally_made_up: 1
`;

describe('attache validate on mistaken input', () => {
  it('warns on every misspelled or made-up field with a did-you-mean; --strict makes warnings fail', async () => {
    const dir = dirWith({ 'm.yaml': misspelled });
    const plain = await validate(['-f', dir], dir);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('HTTP_FIELD_UNKNOWN'))).toEqual([
      expect.stringMatching(
        /^m\.yaml:6: warning HTTP_FIELD_UNKNOWN: Host default\/example \/spec\/tlsSecrett: .*did you mean tlsSecret\?/,
      ),
      expect.stringMatching(
        /^m\.yaml:14: warning HTTP_FIELD_UNKNOWN: Mapping default\/quote \/spec\/timout_ms: .*did you mean timeout_ms\?/,
      ),
      expect.stringMatching(
        /^m\.yaml:14: warning HTTP_FIELD_UNKNOWN: Mapping default\/quote \/spec\/totally_made_up: /,
      ),
    ]);
    expect(lines.at(-1)).toMatch(/^0 errors, 3 warnings \(3 resources read\)$/);
    const strict = await validate(['-f', dir, '--strict'], dir);
    expect(strict.code).toBe(1);
    expect(strict.stdout.trimEnd().split('\n').at(-1)).toMatch(/3 warnings .*; --strict fails on warnings$/);
  });

  it('passes the quickstart with --strict', async () => {
    const { code, stdout } = await validate(['-f', quickstart, '--strict'], quickstart);
    expect(stdout).toMatch(/^no problems found/);
    expect(code).toBe(0);
  });

  it('reports a YAML alias bomb as a SOURCE_ERROR on its file (exit 1, not a crash)', async () => {
    const levels = ['a0: &a0 "lol"'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const dir = dirWith({
      'bomb.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  ${levels.join('\n  ')}\n`,
    });
    const { code, stdout, stderr } = await validate(['-f', dir], dir);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^bomb\.yaml:1: error SOURCE_ERROR: .*aliases/m);
  });

  it('makes an unknown getambassador.io version and a misspelled group errors', async () => {
    const mapping = (apiVersion: string, name: string) =>
      `apiVersion: ${apiVersion}\nkind: Mapping\nmetadata: {name: ${name}, namespace: default}\nspec: {hostname: "*", prefix: /${name}/, service: ${name}}\n`;
    const dir = dirWith({
      'a.yaml': [mapping('getambassador.io/v9', 'future'), mapping('getambasador.io/v3alpha1', 'typo')].join(
        '---\n',
      ),
    });
    const { code, stdout } = await validate(['-f', dir], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/error HTTP_API_VERSION_UNKNOWN: Mapping default\/future \/apiVersion: /);
    expect(stdout).toMatch(
      /error RESOURCE_KIND_MISSPELLED: Mapping default\/typo \/apiVersion: .*did you mean getambassador\.io\?/,
    );
  });

  it('reads a ConfigMap mounted as a directory, and warns about a path with no resources', async () => {
    const files = Object.fromEntries(
      readdirSync(quickstart)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => [f, readFileSync(join(quickstart, f), 'utf8')]),
    );
    const mounted = mkdtempSync(join(tmpdir(), 'attache-validate-'));
    configMapMount(mounted, files);
    const direct = await validate(['-f', quickstart], quickstart);
    const viaMount = await validate(['-f', mounted], mounted);
    expect(viaMount.code).toBe(0);
    expect(viaMount.stdout).toBe(direct.stdout);
    expect(viaMount.stdout).toMatch(/^no problems found \([1-9]\d* resources read\)$/m);

    const empty = mkdtempSync(join(tmpdir(), 'attache-validate-'));
    const none = await validate(['-f', empty], empty);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/warning SOURCE_WARNING: .*holds no resources/);
    expect((await validate(['-f', empty, '--strict'], empty)).code).toBe(1);
  });
});
