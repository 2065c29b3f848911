import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `attache compile`, `validate` and `explain` run from the bundle the build writes
 * (scripts/bundle.mjs); the bundle must behave exactly as the modules tsc wrote.
 * Each command line runs twice, as users run it (dist/main.js, which takes the
 * bundle) and through dist/cli.js unbundled, and stdout, stderr and the exit code
 * must be byte for byte the same, with V8's code cache (load-bundle.ts) cold and warm.
 * Needs a build (`pnpm build`).
 */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dist = join(repoRoot, 'apps/attache/dist');
const main = join(dist, 'main.js');
const unbundled = `import { runCli } from ${JSON.stringify(join(dist, 'cli.js'))};
process.exitCode = await runCli(process.argv.slice(1));`;

/** A Mapping with a misspelled field and a bad port, and a Host with a YAML syntax error. */
const broken = `apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: a, namespace: default}
spec:
  prefix: /a/
  service: foo:99999
  hostname: "*"
  bogus: 1
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata:
  name: h
spec:
  hostname: [x
`;

let dir: string;

beforeAll(() => {
  for (const file of [main, join(dist, 'offline-cli.bundle.cjs')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build first (pnpm build)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'attache-bundle-'));
  writeFileSync(join(dir, 'broken.yaml'), broken);
  writeFileSync(join(dir, 'many.yaml'), manyMappings(3000));
});

/** A Listener and `count` Mappings: at 3,000 an output of ~1 MB, written in 64 KiB pieces before main.js exits. */
function manyMappings(count: number): string {
  const listener = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: { name: http, namespace: default }
spec: { port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: { namespace: { from: ALL } } }
`;
  const mappings = Array.from(
    { length: count },
    (_, i) => `---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata:
  name: m${i}
  namespace: default
spec:
  hostname: "*"
  prefix: /m${i}/
  service: s${i % 50}:80
`,
  );
  return listener + mappings.join('');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(
  args: string[],
  cache = join(dir, 'cache'),
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ATTACHE_CACHE: cache },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const examples = join(repoRoot, 'examples');
const cases: string[][] = [
  ['compile', '-f', join(examples, 'quickstart')],
  ['compile', '-f', join(examples, 'quickstart'), '--format', 'yaml'],
  ['compile', '-f', join(examples, 'quickstart'), '--ir'],
  ['compile', '-f', 'broken.yaml'],
  ['compile', '-f', 'many.yaml'],
  ['validate', '-f', 'broken.yaml'],
  ['validate', '-f', examples],
  ['compile', '--schedule'],
  ['compile', '--config', join(examples, 'plugin-example/attache.yaml'), '-f', join(examples, 'quickstart')],
  ['compile', '-f', 'missing.yaml'],
  ['compile', '-f', 'broken.yaml', '--config', 'missing.yaml'],
  ['compile', '--no-such-flag'],
  ['validate', '--help'],
  ['explain', '-f', join(examples, 'quickstart'), 'GET http://localhost:8080/quote/'],
  ['explain', '-f', join(examples, 'quickstart'), 'GET https://localhost:8443/users/', '--json'],
  ['explain', '-f', 'broken.yaml', 'GET http://localhost/'],
];

describe('the bundled offline CLI', () => {
  it.each(cases.map((c) => [c.join(' '), c]))('%s: same output and exit code as unbundled', (_, args) => {
    const bundled = run([main, ...(args as string[])]);
    const plain = run(['--input-type=module', '-e', unbundled, ...(args as string[])]);
    expect(bundled).toEqual(plain);
  });

  it('writes all of a large output before it exits', () => {
    const bundled = run([main, 'compile', '-f', 'many.yaml']);
    expect(bundled.status).toBe(0);
    expect(bundled.stdout.length).toBeGreaterThan(1 << 19);
    expect(JSON.parse(bundled.stdout)).toBeTypeOf('object');
  });

  it('writes the same bytes to a file or /dev/null as to a pipe (io.ts writes a file with writeSync)', () => {
    for (const args of [
      ['compile', '-f', 'many.yaml'],
      ['compile', '-f', 'broken.yaml', '-f', join(examples, 'quickstart')],
      ['compile', '-f', 'many.yaml', '--format', 'yaml'],
      ['validate', '-f', 'broken.yaml'],
    ]) {
      const piped = run([main, ...args]);
      const out = join(dir, 'stdout.txt');
      const fd = openSync(out, 'w');
      try {
        const r = spawnSync(process.execPath, [main, ...args], {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', fd, 'pipe'],
          env: { ...process.env, ATTACHE_CACHE: join(dir, 'cache') },
        });
        expect({ status: r.status, stdout: readFileSync(out, 'utf8'), stderr: r.stderr }).toEqual(piped);
      } finally {
        closeSync(fd);
      }
      const devNull = spawnSync(process.execPath, [main, ...args], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'],
        env: { ...process.env, ATTACHE_CACHE: join(dir, 'cache') },
      });
      expect({ status: devNull.status, stderr: devNull.stderr }).toEqual({
        status: piped.status,
        stderr: piped.stderr,
      });
    }
  });

  it('makes no process.stdout for output written to a file with writeSync (nothing for it to wait on)', () => {
    // A preload notes each read of process.stdout (node makes the stream at the first).
    const log = join(dir, 'stdout-reads.txt');
    const preload = join(dir, 'note-stdout.cjs');
    writeFileSync(
      preload,
      `const own = Object.getOwnPropertyDescriptor(process, 'stdout');
Object.defineProperty(process, 'stdout', { ...own, get() { require('node:fs').appendFileSync(${JSON.stringify(log)}, 'read\\n'); return own.get.call(process); } });`,
    );
    const out = join(dir, 'stdout-file.txt');
    const args = [main, 'compile', '-f', 'many.yaml'];
    const fd = openSync(out, 'w');
    try {
      const r = spawnSync(process.execPath, ['-r', preload, ...args], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', fd, 'pipe'],
        env: { ...process.env, ATTACHE_CACHE: join(dir, 'cache') },
      });
      expect(r.status).toBe(0);
    } finally {
      closeSync(fd);
    }
    const piped = run(args);
    expect(readFileSync(out, 'utf8')).toBe(piped.stdout);
    expect(existsSync(log)).toBe(false);
    // The preload sees the reads there are: a pipe is written through process.stdout.
    expect(run(['-r', preload, ...args])).toEqual(piped);
    expect(existsSync(log)).toBe(true);
  });

  it('ends quietly, exit code 0, when the reader of its stdout goes away (compile … | head)', async () => {
    for (const args of [[main], ['--input-type=module', '-e', unbundled]]) {
      const child = spawn(process.execPath, [...args, 'compile', '-f', 'many.yaml'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ATTACHE_CACHE: join(dir, 'cache') },
      });
      let stderr = '';
      let read = 0;
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      // Like head: read the first chunk, then close the pipe while the output is far from done.
      child.stdout.once('data', (chunk: Buffer) => {
        read = chunk.length;
        child.stdout.destroy();
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(read).toBeGreaterThan(0);
    }
  });

  it('is ASCII (a one-byte string in V8), its non-ASCII text escaped: messages keep it', () => {
    const bundle = readFileSync(join(dist, 'offline-cli.bundle.cjs'));
    expect(bundle.findIndex((byte) => byte > 0x7f)).toBe(-1);
    // The unknown-field warning names Attaché: the same bytes as unbundled.
    writeFileSync(join(dir, 'unknown-field.yaml'), broken.slice(0, broken.indexOf('---')));
    const args = ['validate', '-f', 'unknown-field.yaml'];
    const bundled = run([main, ...args]);
    expect(bundled.stdout + bundled.stderr).toContain('Attaché knows');
    expect(bundled).toEqual(run(['--input-type=module', '-e', unbundled, ...args]));
  });

  it('prints the same with V8 code cached by an earlier run', () => {
    const cache = join(dir, 'fresh-cache');
    const args = [main, 'compile', '-f', join(examples, 'quickstart'), '-f', 'broken.yaml'];
    const cold = run(args, cache);
    expect(readdirSync(join(cache, 'code-cache'))).toHaveLength(1);
    const warm = run(args, cache);
    expect(warm).toEqual(cold);
    expect(cold.status).toBe(1);
    expect(cold.stdout.length).toBeGreaterThan(1000);
  });

  it('is what dist/main.js runs for compile, validate and explain, and only for them', () => {
    // A loader hook writes every module URL the process loads into a file.
    const log = join(dir, 'loaded.txt');
    const hooks = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`;
    const register = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const loaded = (args: string[]) => {
      rmSync(log, { force: true });
      run(['--import', `data:text/javascript,${encodeURIComponent(register)}`, main, ...args]);
      return readFileSync(log, 'utf8').split('\n');
    };
    // The bundle is a classic script (load-bundle.js runs it), which no module hook sees.
    const bundleUrl = pathToFileURL(join(dist, 'load-bundle.js')).href;
    const cliUrl = pathToFileURL(join(dist, 'cli.js')).href;
    for (const command of [['compile'], ['validate'], ['explain', 'GET http://localhost/']]) {
      const urls = loaded([...command, '-f', 'broken.yaml']);
      expect(urls).toContain(bundleUrl);
      expect(urls).not.toContain(cliUrl);
    }
    const serve = loaded(['serve', '--help']);
    expect(serve).toContain(cliUrl);
    expect(serve).not.toContain(bundleUrl);
  });
});
