import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

/**
 * `attache serve` as a person runs it from a terminal: the built CLI, started
 * directly (not through pnpm, which reports any Ctrl-C as a failure of its own),
 * logs human-readable lines on a terminal and JSON on a pipe, and a real Ctrl-C
 * stops it with exit code 0.
 */

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const main = join(repoRoot, 'apps/attache/dist/main.js');
const quickstart = join(repoRoot, 'examples/quickstart');

/** util-linux `script` gives the command a pseudo-terminal, as a terminal emulator would. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function workspace(extraConfig = ''): string {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
  const dir = mkdtempSync(join(tmpdir(), 'attache-serve-tty-'));
  cpSync(quickstart, join(dir, 'resources'), { recursive: true });
  writeFileSync(
    join(dir, 'attache.yaml'),
    `sources:\n  file: { paths: [resources], watch: false }\nsinks: {}\nadmin: { host: 127.0.0.1, port: 0 }\n${extraConfig}`,
  );
  return dir;
}

function run(child: ChildProcess): { output: () => string; exited: Promise<number | null> } {
  let output = '';
  child.stdout?.on('data', (b) => {
    output += b;
  });
  child.stderr?.on('data', (b) => {
    output += b;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { output: () => output, exited };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour escapes are what is stripped
const plain = (text: string) => text.replace(/\u001b\[\d+m/g, '').replace(/\r/g, '');
const prettyLine = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: attache is serving \{"config":"[^"]+attache\.yaml",/m;

/** Runs serve piped (no terminal) until it serves, stops it with SIGINT, returns its stderr. */
async function servePiped(dir: string, args: string[] = []): Promise<{ code: number | null; logs: string }> {
  const child = spawn(process.execPath, [main, 'serve', '--config', 'attache.yaml', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = run(child);
  try {
    await vi.waitFor(() => expect(output()).toContain('attache is serving'), {
      timeout: 20000,
      interval: 50,
    });
  } finally {
    child.kill('SIGINT');
  }
  return { code: await exited, logs: output() };
}

describe('attache serve from a terminal', () => {
  it.skipIf(!hasScript)(
    'logs human-readable lines on a terminal, and Ctrl-C stops it with exit code 0',
    async () => {
      const dir = workspace();
      // exec: the shell script(1) starts replaces itself with node, so the terminal's SIGINT reaches
      // node alone (a shell that stayed would die of it, and script would report 130).
      const command = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)} serve --config attache.yaml`;
      // -e: script exits with the command's exit code; the ^C written to the terminal is
      // turned into SIGINT for the foreground process group by the terminal itself.
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        cwd: dir,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: undefined },
      });
      const { output, exited } = run(child);
      try {
        await vi.waitFor(() => expect(plain(output())).toMatch(prettyLine), { timeout: 20000, interval: 50 });
      } finally {
        child.stdin?.write('\u0003');
      }
      const code = await exited;
      const text = plain(output());
      expect(text).toMatch(/^(\^C)?\[[\d:.]+\] INFO: shutting down \{"signal":"SIGINT"\}$/m);
      expect(text).toMatch(/^\[[\d:.]+\] INFO: runtime stopped$/m);
      expect(text).not.toMatch(/^\{"level"/m);
      expect(code).toBe(0);
    },
    40_000,
  );

  it('logs JSON when stderr is not a terminal; --log-format and log.format force either', async () => {
    const piped = await servePiped(workspace());
    expect(piped.code).toBe(0);
    const serving = piped.logs.split('\n').find((l) => l.includes('attache is serving'));
    expect(JSON.parse(serving!)).toMatchObject({ level: 30, name: 'attache', msg: 'attache is serving' });

    const flag = await servePiped(workspace(), ['--log-format', 'pretty']);
    expect(flag.logs).toMatch(prettyLine);
    expect(flag.logs).not.toContain('\u001b['); // no colours on a pipe, even when pretty

    const file = await servePiped(workspace('log: { format: pretty }\n'));
    expect(file.logs).toMatch(prettyLine);
    const overridden = await servePiped(workspace('log: { format: pretty }\n'), ['--log-format', 'json']);
    expect(overridden.logs).not.toMatch(prettyLine);
    expect(overridden.logs).toContain('"msg":"attache is serving"');
  }, 60_000);

  it('refuses an unknown --log-format', async () => {
    const child = spawn(process.execPath, [main, 'serve', '--log-format', 'xml'], {
      cwd: workspace(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { output, exited } = run(child);
    expect(await exited).toBe(2);
    expect(output()).toContain("--log-format takes auto, json, pretty, not 'xml'");
  });
});
