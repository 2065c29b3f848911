import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { explainCommand } from './commands/explain.js';

/**
 * `attache explain` on every example directory: each Mapping an example
 * defines gets a request built from its own match (hostname, prefix, method,
 * headers, query parameters), and the explanation must name that Mapping as
 * the route taken; a path no Mapping has must take no route.
 */

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const examplesDir = join(repoRoot, 'examples');
const V3 = 'getambassador.io/v3alpha1';

interface Resource {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
}

/** YAML files of a directory tree, leaving out installed and built code. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name !== 'node_modules' && name !== 'dist')
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

function resourcesOf(dir: string): Resource[] {
  return yamlFiles(dir).flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as Resource | null)
      .filter((r): r is Resource => typeof r === 'object' && r !== null && typeof r.kind === 'string'),
  );
}

/** An example's resources: its resources/ folder when it has one (beside its attache.yaml), else the example itself. */
const resourcesDir = (dir: string) => (existsSync(join(dir, 'resources')) ? join(dir, 'resources') : dir);

/** Example resource directories with at least one v3alpha1 Mapping of their own. */
const exampleDirs = readdirSync(examplesDir)
  .map((name) => resourcesDir(join(examplesDir, name)))
  .filter((dir) => statSync(dir).isDirectory())
  .filter((dir) => resourcesOf(dir).some((r) => r.apiVersion === V3 && r.kind === 'Mapping'));

interface Probe {
  mapping: string;
  argv: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const servesDefault = (spec: Record<string, unknown>) => {
  const id = spec.ambassador_id;
  return id === undefined || id === 'default' || (Array.isArray(id) && id.includes('default'));
};

/**
 * One request per Mapping that a request can be derived for: a plain prefix,
 * literal header and query matches. Sent to the first HTTP (else HTTPS)
 * Listener with `x-forwarded-proto: https`, so the Mapping's own action
 * applies whatever its Host does with insecure requests.
 */
function probesFor(resources: Resource[]): { probes: Probe[]; miss: string[] } {
  const v3 = resources.filter((r) => r.apiVersion === V3 && servesDefault(r.spec ?? {}));
  const listeners = v3.filter((r) => r.kind === 'Listener');
  const listener =
    listeners.find((l) => l.spec?.protocol === 'HTTP') ?? listeners.find((l) => l.spec?.protocol === 'HTTPS');
  if (!listener) throw new Error('no Listener with protocol HTTP or HTTPS');
  const scheme = listener.spec?.protocol === 'HTTPS' ? 'https' : 'http';
  const port = Number(listener.spec?.port);
  const exactHosts = v3
    .filter((r) => r.kind === 'Host')
    .map((h) => str(h.spec?.hostname) ?? '*')
    .filter((h) => !h.includes('*'));
  const authorityFor = (glob: string): string | undefined => {
    if (!glob.includes('*')) return glob;
    const suffix = glob.startsWith('*') ? glob.slice(1) : undefined;
    const known = exactHosts.find((h) => glob === '*' || (suffix !== undefined && h.endsWith(suffix)));
    // Only wildcard Hosts (examples/consul): any name the glob matches will do.
    if (known !== undefined) return known;
    if (glob === '*') return 'example.com';
    return suffix !== undefined ? `probe${suffix}` : undefined;
  };

  const probes: Probe[] = [];
  for (const m of v3.filter((r) => r.kind === 'Mapping')) {
    const spec = m.spec ?? {};
    const derivable =
      !spec.prefix_regex &&
      !spec.method_regex &&
      !spec.host_regex &&
      !spec.regex_headers &&
      !spec.regex_query_parameters;
    const authority = authorityFor(str(spec.hostname) ?? str(spec.host) ?? '*');
    const prefix = str(spec.prefix);
    if (!derivable || !authority || !prefix) continue;
    const path = spec.prefix_exact || !prefix.endsWith('/') ? prefix : `${prefix}probe`;
    const query = Object.entries((spec.query_parameters as Record<string, string> | undefined) ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    const headers = Object.entries((spec.headers as Record<string, string> | undefined) ?? {}).filter(
      ([k]) => k.toLowerCase() !== 'host' && !k.startsWith(':'),
    );
    const argv = [
      `${str(spec.method) ?? 'GET'} ${scheme}://${authority}:${port}${path}${query ? `?${query}` : ''}`,
    ];
    for (const [k, v] of [['host', authority], ['x-forwarded-proto', 'https'], ...headers])
      argv.push('-H', `${k}: ${v}`);
    probes.push({ mapping: `${m.metadata?.namespace ?? 'default'}/${m.metadata?.name}`, argv });
  }
  const miss = [
    'GET',
    `${scheme}://${exactHosts[0] ?? 'example.com'}:${port}/attache-no-mapping-has-this-path/`,
  ].join(' ');
  return { probes, miss: [miss, '-H', `host: ${exactHosts[0] ?? 'example.com'}`] };
}

async function explain(dir: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await explainCommand(['-f', dir, ...argv], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('attache explain on the examples', () => {
  it('finds the examples with Mappings', () => {
    expect(exampleDirs.map((d) => relative(repoRoot, d))).toContain('examples/quickstart');
  });

  for (const dir of exampleDirs) {
    const { probes, miss } = probesFor(resourcesOf(dir));
    const name = relative(repoRoot, dir);

    it(`${name}: derives a request for its Mappings`, () => {
      expect(probes.length).toBeGreaterThan(0);
    });

    for (const probe of probes) {
      it(`${name}: ${probe.argv[0]} takes Mapping ${probe.mapping}`, async () => {
        const r = await explain(dir, probe.argv);
        expect(r.stderr, 'the example compiles without errors').toBe('');
        expect(r.code, r.stdout).toBe(0);
        expect(r.stdout, r.stdout).toMatch(
          new RegExp(`^Route +route #\\d+ \\S+ \\(Mapping ${escapeRegex(probe.mapping)}\\)`, 'm'),
        );
      });
    }

    it(`${name}: a path no Mapping has takes no route`, async () => {
      const r = await explain(dir, miss);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toMatch(/^Route +none$/m);
      expect(r.stdout).not.toMatch(/^Route +route #/m);
    });
  }
});
