import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { pnpmPack, registryDependencyClosure, repoRoot, tarInstalledPackage } from './pack.js';

/**
 * A plugin written outside this repository, as docs/plugins.md tells its
 * author: a folder of its own that installs @attache/core from the packed
 * tarball (no network: core's own dependencies come as tarballs too), a
 * TypeScript source compiled against the installed types, a plain JSON Schema
 * for its config, loaded by the built `attache serve` from attache.yaml. Its
 * pass must run: the header it adds reaches the Envoy configuration written.
 * Needs a build (`pnpm build`).
 */

const main = join(repoRoot, 'apps/attache/dist/main.js');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

const pluginSource = `import { definePlugin, type IRRoute } from '@attache/core';

interface TeamHeaderConfig {
  header: string;
  value: string;
}

export default definePlugin<TeamHeaderConfig>({
  id: 'team-header',
  description: 'Adds a team response header to every forwarding route',
  // Plain JSON Schema, no TypeBox: validated at load, defaults filled.
  configSchema: {
    type: 'object',
    properties: {
      header: { type: 'string', minLength: 1, default: 'x-team' },
      value: { type: 'string', minLength: 1 },
    },
    required: ['value'],
    additionalProperties: false,
  },
  requires: ['http'],
  register(reg) {
    reg.pass({
      id: 'team-header.add',
      phase: 'attach',
      reason: 'decorates the routes the build phase made, before lowering reads them',
      reads: ['ir.routeConfigs'],
      writes: ['ir.routeConfigs'],
      run(ctx) {
        const seen = new Set<IRRoute>();
        for (const routeConfig of Object.values(ctx.ir.routeConfigs))
          for (const virtualHost of routeConfig.virtualHosts)
            for (const route of virtualHost.routes) {
              if (route.action.kind !== 'forward' || seen.has(route)) continue;
              seen.add(route);
              route.responseHeadersToAdd = [
                ...(route.responseHeadersToAdd ?? []),
                { key: ctx.config.header, value: ctx.config.value, append: 'OVERWRITE_IF_EXISTS_OR_ADD' },
              ];
            }
      },
    });
  },
});
`;

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    types: [],
    outDir: 'dist',
  },
  include: ['src'],
};

let project: string;

function attacheYaml(pluginConfig: string): string {
  return [
    'plugins:',
    '  - module: ./ # this folder: its package.json names dist/index.js',
    `    config: ${pluginConfig}`,
    'sources:',
    '  file: { paths: [resources], watch: false }',
    'sinks:',
    '  file: { path: out/envoy.json, mode: static }',
    'admin: { host: 127.0.0.1, port: 0 }',
    '',
  ].join('\n');
}

async function serve(config: string): Promise<{ code: number | null; output: string; bootstrap?: string }> {
  writeFileSync(join(project, 'attache.yaml'), config);
  rmSync(join(project, 'out'), { recursive: true, force: true });
  const child = spawn(process.execPath, [main, 'serve', '--config', 'attache.yaml'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b) => {
    output += b;
  });
  child.stderr.on('data', (b) => {
    output += b;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const bootstrapPath = join(project, 'out/envoy.json');
  let bootstrap: string | undefined;
  const done = await Promise.race([
    exited.then(() => 'exited' as const),
    vi
      .waitFor(
        () => {
          expect(existsSync(bootstrapPath)).toBe(true);
          bootstrap = readFileSync(bootstrapPath, 'utf8');
        },
        { timeout: 30000, interval: 100 },
      )
      .then(() => 'written' as const),
  ]);
  if (done === 'written') child.kill('SIGTERM');
  return { code: await exited, output, ...(bootstrap ? { bootstrap } : {}) };
}

/** The values of every header named `key` in `value`'s HeaderValue objects ({ header: { key, value } }), in any key order. */
function headerValues(value: unknown, key: string, out: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const item of value) headerValues(item, key, out);
    return out;
  }
  const header = (value as { header?: { key?: unknown; value?: unknown } }).header;
  if (header?.key === key && typeof header.value === 'string') out.push(header.value);
  for (const child of Object.values(value)) headerValues(child, key, out);
  return out;
}

describe('an out-of-tree plugin, installed from packed tarballs', () => {
  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (pnpm build)`);
    project = mkdtempSync(join(tmpdir(), 'attache-oot-plugin-'));
    const tarballs = join(project, 'tarballs');
    mkdirSync(tarballs);
    const core = join(repoRoot, 'packages/core');
    const packed = [
      pnpmPack(core, tarballs),
      ...registryDependencyClosure(core).map((dir) => tarInstalledPackage(dir, tarballs)),
    ];
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'team-header-plugin',
        version: '1.0.0',
        type: 'module',
        exports: './dist/index.js',
      }),
    );
    execFileSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...packed],
      { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src/index.ts'), pluginSource);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    cpSync(join(repoRoot, 'examples/quickstart'), join(project, 'resources'), { recursive: true });
    // The plugin author's build: strict, with the library's own declarations checked (skipLibCheck false).
    try {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    } catch (e) {
      throw new Error(
        `the plugin does not compile against the packed types:\n${(e as { stdout?: string }).stdout}`,
      );
    }
  }, 180_000);

  it('installs @attache/core from its tarball, with the types a TypeScript plugin compiles against', () => {
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules/@attache/core/package.json'), 'utf8'),
    );
    expect(installed.version).toBe('0.1.0');
    expect(
      JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies['@attache/core'],
    ).toMatch(/^file:.*attache-core-0\.1\.0\.tgz$/);
    expect(existsSync(join(project, 'node_modules/@attache/core/dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(project, 'dist/index.js'))).toBe(true);
  }, 60_000);

  it('is loaded by attache serve, its JSON-Schema config defaulted, and its pass runs', async () => {
    const run = await serve(attacheYaml('{ value: platform }'));
    expect(run.code, run.output).toBe(0);
    const bootstrap = JSON.parse(run.bootstrap!);
    const headers = headerValues(bootstrap.static_resources.listeners, 'x-team');
    // One per forwarding route of the quickstart, on every listener that serves it.
    expect(headers.length).toBeGreaterThan(3);
    expect(new Set(headers)).toEqual(new Set(['platform']));
  }, 60_000);

  it('refuses a config its JSON Schema rejects, naming the plugin and the fields (exit 2, no internal error)', async () => {
    const run = await serve(attacheYaml('{ value: 7, colour: blue }'));
    expect(run.code).toBe(2);
    expect(run.output).toContain("invalid config for plugin 'team-header':");
    expect(run.output).toContain('/value: must be string');
    expect(run.output).toContain("must NOT have additional properties ('colour')");
    expect(run.output).not.toContain('internal error');
    expect(run.bootstrap).toBeUndefined();
  }, 60_000);
});
