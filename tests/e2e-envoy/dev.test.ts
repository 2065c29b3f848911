import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { cliPath, edgeSkipReason, freePorts, repoRoot, request } from './edge.js';

/**
 * `attache dev`, the README's start command, as a user runs it: one process
 * that starts the control plane, a real Envoy on the bootstrap it writes and
 * the demo upstreams, so a request to the example answers at once; an edit to
 * the example changes the next answer; Ctrl-C stops everything with exit 0.
 *
 * The example is copied to a temporary folder (`--watch` it, `--demo` keeps the
 * demo upstreams) so the test can edit it, and every port is free rather than
 * 8080/8443/18000/8877/9901 (`--port-offset`, `--ads`, `--admin`,
 * `--envoy-admin`), so it runs beside other suites.
 */
/** Whether 127.0.0.1:`port` can be bound right now. */
const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** An offset that moves both 8080 and 8443 onto free ports (a port the OS just handed out, and its +363 checked). */
async function freeOffset(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const [port] = (await freePorts(1)) as [number];
    if (port > 8080 && port + 363 < 65536 && (await canBind(port + 363))) return port - 8080;
  }
  throw new Error('no free pair of ports 363 apart');
}

const skip = edgeSkipReason('e2e-envoy attache dev');
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('attache dev: one command to a working edge', () => {
  let child: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;
  let example: string;
  let http: number;
  let envoyAdmin: number;
  const work = mkdtempSync(join(tmpdir(), 'attache-dev-test-'));

  beforeAll(async () => {
    example = join(work, 'quickstart');
    const source = join(repoRoot, 'examples/quickstart');
    mkdirSync(example);
    for (const file of readdirSync(source))
      if (file.endsWith('.yaml')) copyFileSync(join(source, file), join(example, file));
    // A free block of ports: the listeners move by a common offset, so 8080+offset and 8443+offset must both be free.
    const [ads, admin, envoyAdminPort] = await freePorts(3);
    envoyAdmin = envoyAdminPort as number;
    const offset = await freeOffset();
    http = 8080 + offset;
    child = spawn(
      process.execPath,
      [
        cliPath,
        'dev',
        '--watch',
        example,
        '--demo',
        '--ads',
        `127.0.0.1:${ads}`,
        '--admin',
        `127.0.0.1:${admin}`,
        '--envoy-admin',
        String(envoyAdmin),
        '--port-offset',
        String(offset),
        '--bootstrap',
        join(work, 'envoy-bootstrap.json'),
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    // Ready when the example route answers through Envoy (dev compiles in its main thread:
    // on a loaded 2-core CI machine the first answer took over 30 s once).
    const deadline = Date.now() + 80_000;
    for (;;) {
      const r = await request(http, '/quote/', { host: 'localhost' }).catch(() => undefined);
      if (r?.status === 200) break;
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`attache dev did not come up:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('answers the example routes through a real Envoy, from the demo upstreams', async () => {
    onTestFailed(() => console.error(output));
    const quote = await request(http, '/quote/', { host: `localhost:${http}` });
    expect(quote.status).toBe(200);
    expect(JSON.parse(quote.body)).toMatchObject({ service: 'quote', path: '/' });
    expect(quote.headers.server).toBe('envoy');

    const catalog = await request(http, '/catalog/', { host: 'local.example.com' });
    expect(['catalog-v1', 'catalog-v2']).toContain(JSON.parse(catalog.body).service);

    const redirect = await request(http, '/api/v1/users/42', { host: 'secure.example.com' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('https://secure.example.com/api/v1/users/42');

    // The banner tells the user what to type; the access log shows their requests.
    expect(output).toContain(`curl http://localhost:${http}/quote/`);
    expect(output).toMatch(/envoy \| ACCESS .*"GET \/quote\/ HTTP\/1\.1" 200/);
  });

  it('shows an edit to the example in the next answer', async () => {
    onTestFailed(() => console.error(output));
    const file = join(example, '30-mappings.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('  prefix: /quote/\n', '  prefix: /quote/\n  rewrite: /edited/\n'),
    );
    const deadline = Date.now() + 15_000;
    let path = '';
    while (Date.now() < deadline) {
      const r = await request(http, '/quote/today', { host: 'localhost' });
      path = JSON.parse(r.body).path;
      if (path === '/edited/today') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(path).toBe('/edited/today');
  });

  it('stops Envoy, the control plane and the demo upstreams on Ctrl-C, with exit code 0', async () => {
    onTestFailed(() => console.error(output));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('attache dev: stopped');
    await expect(fetch(`http://127.0.0.1:${envoyAdmin}/ready`)).rejects.toThrow();
    await expect(request(http, '/quote/', { host: 'localhost', timeoutMs: 1000 })).rejects.toThrow();
  });
});
