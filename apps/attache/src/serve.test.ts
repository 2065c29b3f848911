import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';
import type { Serving } from './commands/serve.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const quickstart = join(repoRoot, 'examples/quickstart');

function workspace(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'attache-serve-'));
  cpSync(quickstart, join(dir, 'resources'), { recursive: true });
  writeFileSync(join(dir, 'attache.yaml'), config);
  return dir;
}

const newMapping = [
  'apiVersion: getambassador.io/v3alpha1',
  'kind: Mapping',
  'metadata:',
  '  name: inventory',
  '  namespace: default',
  'spec:',
  '  hostname: "*"',
  '  prefix: /inventory/',
  '  service: inventory:9000',
  '',
].join('\n');

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('attache serve', () => {
  it('compiles the watched files into a static bootstrap, follows a change, and stops cleanly', async () => {
    const dir = workspace(
      [
        'sources:',
        '  file: { paths: [resources], debounceMs: 20 }',
        'sinks:',
        '  file: { path: out/envoy.json, mode: static }',
        'debounce: { quietMs: 20, maxMs: 200 }',
        'log: { level: silent }',
        '',
      ].join('\n'),
    );
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => {
      stop = r;
    });
    let serving: Serving | undefined;
    let stderr = '';
    const exit = runCli(['serve', '--config', 'attache.yaml'], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      cwd: dir,
      stopSignal,
      onServing: (s) => {
        serving = s;
      },
    });
    const bootstrapPath = join(dir, 'out/envoy.json');
    const clusterNames = () => {
      const b = readJson(bootstrapPath) as
        | { static_resources?: { clusters?: Array<{ name: string }> } }
        | undefined;
      return (b?.static_resources?.clusters ?? []).map((c) => c.name);
    };
    await vi.waitFor(() => expect(clusterNames().length).toBeGreaterThan(0), {
      timeout: 10000,
      interval: 50,
    });
    expect(stderr).toBe('');
    expect(serving?.runtime.state).toBe('running');
    expect(clusterNames().some((n) => n.includes('inventory'))).toBe(false);

    writeFileSync(join(dir, 'resources', '40-inventory.yaml'), newMapping);
    await vi.waitFor(() => expect(clusterNames().some((n) => n.includes('inventory'))).toBe(true), {
      timeout: 10000,
      interval: 50,
    });

    stop();
    expect(await exit).toBe(0);
    expect(serving!.runtime.state).toBe('stopped');
  });

  it('rejects a config that names an unknown sink, naming the field', async () => {
    const dir = workspace('sources: {}\nsinks:\n  carrier-pigeon: {}\nlog: { level: silent }\n');
    let stderr = '';
    const code = await runCli(['serve', '--config', 'attache.yaml'], {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      cwd: dir,
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /sinks\.carrier-pigeon: no loaded plugin registers a sink of type 'carrier-pigeon'/,
    );
  });

  it('says why it cannot start when a port is taken, and exits 1', async () => {
    const dir = workspace(
      'sources:\n  file: { paths: [resources], watch: false }\nsinks: {}\nlog: { level: silent }\n',
    );
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    let stderr = '';
    try {
      const code = await runCli(['serve', '--config', 'attache.yaml', '--admin', `127.0.0.1:${port}`], {
        stdout: () => {},
        stderr: (t) => {
          stderr += t;
        },
        cwd: dir,
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^attache serve: cannot start: .*EADDRINUSE/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('runs as a process: ADS listening, bootstrap pointing at it, exit 0 on SIGTERM', async () => {
    const main = join(repoRoot, 'apps/attache/dist/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
    const dir = workspace(
      [
        'sources:',
        '  file: { paths: [resources] }',
        'sinks:',
        '  ads: {}',
        '  file: { path: unused.json }',
        '',
      ].join('\n'),
    );
    const adsPort = await freePort();
    const child = spawn(
      process.execPath,
      [
        main,
        'serve',
        '--config',
        'attache.yaml',
        '--ads',
        `127.0.0.1:${adsPort}`,
        '--admin',
        '127.0.0.1:0',
        '--bootstrap',
        'envoy-bootstrap.json',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let logs = '';
    child.stderr.on('data', (b) => {
      logs += b;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await vi.waitFor(() => expect(logs).toContain('published snapshot'), { timeout: 20000, interval: 100 });
      const bootstrap = JSON.stringify(readJson(join(dir, 'envoy-bootstrap.json')));
      expect(bootstrap).toContain(`"port_value":${adsPort}`);
      expect(existsSync(join(dir, 'unused.json'))).toBe(false);
      await new Promise<void>((ok, fail) => {
        const socket = connect(adsPort, '127.0.0.1', () => {
          socket.end();
          ok();
        });
        socket.on('error', fail);
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(logs).toContain('runtime stopped');
  });
});
