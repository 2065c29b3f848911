import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type StoredResource, TypeUrl } from '@attache/core';
import { buildAdsBootstrap } from '@attache/envoy';
import { EchoServer, EnvoyProcess, freePorts } from '@attache/testkit';
import { generateCompileInputs } from './compile-inputs.js';
import { inputsAsYaml } from './compile-inputs-file.js';
import { compilePlugins } from './compile-plugins.js';

/** The CLI the benchmark runs as the control plane: `attache serve`, as users run it. */
export const attacheCli = fileURLToPath(new URL('../../../apps/attache/dist/main.js', import.meta.url));

export interface EnvoyBenchScenario {
  /** Mappings from the compile bench's generator (10 TLS Hosts, as its 10x10000 scenario). */
  mappings: number;
  delta: boolean;
  /** One-Mapping edits to time. */
  edits: number;
  binary: string;
  /**
   * Keep the generator's service names (Envoy warms each STRICT_DNS cluster by resolving
   * it: here they do not exist, so the DNS server's answers are timed too). Otherwise each
   * distinct service host becomes a distinct loopback address: the same clusters, no DNS.
   */
  dns: boolean;
  /**
   * Edit the Mapping inside the file that holds all the others (the whole file is written
   * and read again, as when a user edits one Mapping of a large file); otherwise it has a
   * file of its own.
   */
  inPlace?: boolean;
  /** The CLI to run (default: this repository's `attacheCli`; another build's, to compare). */
  cli?: string;
}

export interface EnvoyBenchResult {
  mappings: number;
  delta: boolean;
  listeners: number;
  routeConfigs: number;
  /** Routes over every virtual host of every RouteConfiguration (what Envoy holds). */
  routes: number;
  /** `attache serve` start → /readyz 200 (its first compile is published). */
  attacheReadyMs: number;
  /** Envoy start → every RouteConfiguration loaded (RDS update_success) and every listener active. */
  envoyAllRoutesMs: number;
  /** Envoy start → Attaché's first CDS, LDS and RDS responses sent (polled every 10 ms). */
  sentMs: { cds?: number; lds?: number; rds?: number };
  /** Envoy start → CDS accepted, every cluster warmed, LDS accepted (Envoy /stats, polled every 10 ms). */
  cdsMs?: number;
  clustersWarmMs?: number;
  ldsMs?: number;
  clusters: number;
  /** Routes counted in Envoy's /config_dump once loaded (must equal `routes`). */
  envoyRoutes: number;
  rejected: number;
  envoyRssMb: number;
  attacheRssMb: number;
  attachePeakRssMb: number;
  /** One-Mapping edit (file written) → first request through Envoy that shows it, per edit. */
  editMs: number[];
  /** File written → Attaché's attache_xds_pushes_total moved (compiled and sent), per edit; polled every 5 ms. */
  pushedMs: number[];
  /** File written → Envoy's RDS update_success moved (the new route table is in), per edit; polled every 5 ms. */
  appliedMs: number[];
}

const editHost = 'bench-edit.invalid';

/**
 * One measurement: the generated input (listener ports moved to free ones)
 * plus a file holding one Mapping to a local echo server, served by
 * `attache serve` to one real Envoy over ADS (SotW or delta). Times how long
 * Envoy takes to hold every route, reads both processes' RSS, then edits that
 * Mapping's rewrite `edits` times and times each edit to the first request
 * through Envoy that the echo server sees with the new path.
 */
export async function runEnvoyBenchScenario(s: EnvoyBenchScenario): Promise<EnvoyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'attache-envoy-bench-'));
  const inputs = join(dir, 'inputs');
  mkdirSync(inputs);
  const [httpPort, httpsPort, adsPort, adminPort] = (await freePorts(4)) as [number, number, number, number];
  const echo = await EchoServer.start({ name: 'bench-edit' });
  let attache: ChildProcess | undefined;
  let envoy: EnvoyProcess | undefined;
  try {
    const addresses = new Map<string, string>();
    const generated = generateCompileInputs({ hosts: 10, mappings: s.mappings }).resources.map((r) => {
      if (r.resource.kind === 'Listener')
        return withPort(r, r.resource.spec?.port === 8443 ? httpsPort : httpPort);
      if (r.resource.kind === 'Mapping' && !s.dns) return withServiceAddress(r, addresses);
      return r;
    });
    const generatedYaml = inputsAsYaml(generated);
    const generatedFile = join(inputs, 'generated.yaml');
    const editFile = s.inPlace ? generatedFile : join(inputs, 'edit.yaml');
    // In place, the edited Mapping comes last, so the others keep their lines; the file is
    // written aside and renamed over the old one, as editors save, so no read sees half of it.
    const writeEdit = (k: number) => {
      if (!s.inPlace) return writeFileSync(editFile, editDocuments(echo.port, k));
      const aside = join(inputs, '.generated.yaml.saving');
      writeFileSync(aside, `${generatedYaml}\n${editDocuments(echo.port, k)}`);
      renameSync(aside, editFile);
    };
    if (!s.inPlace) writeFileSync(generatedFile, generatedYaml);
    writeEdit(0);

    // What Envoy should end up holding, compiled here the same way (not timed).
    const expected = compile(
      [
        ...generated,
        ...editResources(echo.port, 0).map((resource) => ({ resource, origin: { source: 'bench' } })),
      ],
      compilePlugins,
    );
    const routeConfigs = expected.xds[TypeUrl.RouteConfiguration];
    const routes = routeConfigs.reduce((n, rc) => n + countRoutes(rc.resource), 0);
    const listeners = expected.xds[TypeUrl.Listener].length;

    const config = {
      sources: { file: { paths: [inputs], watch: true } },
      sinks: { ads: { address: `127.0.0.1:${adsPort}` } },
      admin: { host: '127.0.0.1', port: adminPort },
      log: { level: 'warn' },
    };
    const configPath = join(dir, 'attache.yaml');
    writeFileSync(configPath, JSON.stringify(config));
    const attacheStart = performance.now();
    attache = spawn(process.execPath, [s.cli ?? attacheCli, 'serve', '--config', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let attacheLog = '';
    attache.stderr?.on('data', (c: Buffer) => {
      attacheLog = (attacheLog + c.toString()).slice(-20_000);
    });
    const child = attache;
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined))?.status === 200,
      120_000,
      () => `attache serve never became ready:\n${attacheLog}`,
      () => child.exitCode !== null,
    );
    const attacheReadyMs = performance.now() - attacheStart;

    const envoyStart = performance.now();
    envoy = await EnvoyProcess.start({
      binary: s.binary,
      name: 'envoy-bench',
      logLevel: 'warn',
      noWait: true,
      bootstrap: buildAdsBootstrap({
        node: { id: 'envoy-bench', cluster: 'bench' },
        ads: { host: '127.0.0.1', port: adsPort },
        delta: s.delta,
      }),
    });
    const proxy = envoy;
    const names = routeConfigs.map((rc) => rc.name);
    // When Attaché sent its first response of each type (its push counters, polled every 10 ms).
    const sentMs: { cds?: number; lds?: number; rds?: number } = {};
    const firstSends = (async () => {
      await until(
        async () => {
          const metrics = await text(`http://127.0.0.1:${adminPort}/metrics`);
          const at = performance.now() - envoyStart;
          for (const [key, type] of [
            ['cds', 'Cluster"'],
            ['lds', 'Listener"'],
            ['rds', 'RouteConfiguration"'],
          ] as const) {
            if (sentMs[key] === undefined && sumMetric(metrics, 'attache_xds_pushes_total', type) >= 1)
              sentMs[key] = at;
          }
          return sentMs.rds !== undefined;
        },
        600_000,
        () => 'no RDS push',
        () => !proxy.running,
        10,
      );
    })().catch(() => {});
    // Envoy's own order: CDS, then every cluster warmed (DNS answered), then LDS, then RDS per listener.
    const milestones: { cdsMs?: number; clustersWarmMs?: number; ldsMs?: number } = {};
    await until(
      async () => {
        const stats = await proxy.stats(
          'rds|listener_manager.total_listeners_active|listener_manager.lds.update_success|cluster_manager.cds.update_success|cluster_manager.warming_clusters',
        );
        const at = performance.now() - envoyStart;
        if (milestones.cdsMs === undefined && (stats.get('cluster_manager.cds.update_success') ?? 0) > 0)
          milestones.cdsMs = at;
        if (
          milestones.cdsMs !== undefined &&
          milestones.clustersWarmMs === undefined &&
          stats.get('cluster_manager.warming_clusters') === 0
        )
          milestones.clustersWarmMs = at;
        if (milestones.ldsMs === undefined && (stats.get('listener_manager.lds.update_success') ?? 0) > 0)
          milestones.ldsMs = at;
        if ((stats.get('listener_manager.total_listeners_active') ?? 0) < listeners) return false;
        const loaded = new Set<string>();
        for (const [name, value] of stats) {
          const m = /^http\..*?\.rds\.(.+)\.update_success$/.exec(name);
          if (m?.[1] && value > 0) loaded.add(m[1]);
        }
        return names.every((n) => loaded.has(n) || loaded.has(n.replace(/:/g, '_')));
      },
      600_000,
      () => `Envoy never held every route config\n${proxy.tail(30)}`,
      () => !proxy.running,
      10,
    );
    const envoyAllRoutesMs = performance.now() - envoyStart;
    await firstSends;

    const dump = await envoy.admin('/config_dump?resource=dynamic_route_configs');
    const envoyRoutes = (
      JSON.parse(dump.body) as { configs: Array<{ route_config?: Record<string, unknown> }> }
    ).configs.reduce((n, c) => n + (c.route_config ? countRoutes(c.route_config) : 0), 0);
    const x = await envoy.xdsStats();
    const rejected = Object.values(x).reduce((n, t) => n + t.updateRejected, 0);
    const envoyRssMb = rssMb(envoy.pid);
    const attacheRssMb = rssMb(attache.pid);

    const editMs: number[] = [];
    const pushedMs: number[] = [];
    const appliedMs: number[] = [];
    const pushes = async () =>
      sumMetric(await text(`http://127.0.0.1:${adminPort}/metrics`), 'attache_xds_pushes_total');
    const applied = async () => {
      let n = 0;
      for (const [name, value] of await proxy.stats('rds'))
        if (/\.rds\..+\.update_success$/.test(name)) n += value;
      return n;
    };
    /** Resolves with the time `read` first returns more than `from`. */
    const firstIncrease = async (read: () => Promise<number>, from: number, what: string) => {
      await until(
        async () => (await read()) > from,
        60_000,
        () => `${what} never moved`,
        () => !proxy.running,
        5,
      );
      return performance.now();
    };
    for (let k = 1; k <= s.edits; k++) {
      // Apart, so each edit is its own debounce window.
      await sleep(300);
      const wanted = `/v${k}/`;
      const [pushesBefore, appliedBefore] = [await pushes(), await applied()];
      const written = performance.now();
      writeEdit(k);
      const [pushedAt, appliedAt] = await Promise.all([
        firstIncrease(pushes, pushesBefore, 'attache_xds_pushes_total'),
        firstIncrease(applied, appliedBefore, "Envoy's RDS update_success"),
        until(
          async () => (await probe(httpPort)).startsWith(wanted),
          60_000,
          () => `edit ${k} never reached Envoy\n${proxy.tail(30)}\n${attacheLog}`,
          () => !proxy.running,
          2,
        ).then(() => editMs.push(performance.now() - written)),
      ]);
      pushedMs.push(pushedAt - written);
      appliedMs.push(appliedAt - written);
    }
    return {
      mappings: s.mappings,
      delta: s.delta,
      listeners,
      routeConfigs: routeConfigs.length,
      routes,
      attacheReadyMs,
      envoyAllRoutesMs,
      sentMs,
      ...milestones,
      clusters: expected.xds[TypeUrl.Cluster].length,
      envoyRoutes,
      rejected,
      envoyRssMb,
      attacheRssMb,
      attachePeakRssMb: peakRssMb(attache.pid),
      editMs,
      pushedMs,
      appliedMs,
    };
  } finally {
    await envoy?.stop();
    if (attache && attache.exitCode === null) {
      const exited = new Promise((resolve) => attache?.once('exit', resolve));
      attache.kill('SIGINT');
      const timer = setTimeout(() => attache?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Mapping with its service host replaced by a loopback address of its own (same port, same scheme). */
function withServiceAddress(r: StoredResource, addresses: Map<string, string>): StoredResource {
  const spec = (r.resource.spec ?? {}) as Record<string, unknown>;
  const m = typeof spec.service === 'string' ? /^(https?:\/\/)?([^:/]+)(:\d+)?$/.exec(spec.service) : null;
  if (!m) return r;
  let address = addresses.get(m[2]!);
  if (address === undefined) {
    const n = addresses.size + 1;
    address = `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
    addresses.set(m[2]!, address);
  }
  return {
    ...r,
    resource: { ...r.resource, spec: { ...spec, service: `${m[1] ?? ''}${address}${m[3] ?? ''}` } },
  };
}

function withPort(r: StoredResource, port: number): StoredResource {
  return { ...r, resource: { ...r.resource, spec: { ...r.resource.spec, port } } };
}

/** A cleartext Host and the one Mapping the edits change: its rewrite is `/v<k>/`. */
function editResources(echoPort: number, k: number): StoredResource['resource'][] {
  return [
    {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Host',
      metadata: { name: 'bench-edit', namespace: 'edge' },
      spec: { hostname: editHost, requestPolicy: { insecure: { action: 'Route' } } },
    },
    {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name: 'bench-edit', namespace: 'edge' },
      spec: {
        hostname: editHost,
        prefix: '/bench-edit/',
        rewrite: `/v${k}/`,
        service: `127.0.0.1:${echoPort}`,
      },
    },
  ];
}

function editDocuments(echoPort: number, k: number): string {
  return editResources(echoPort, k)
    .map((r) => `---\n${JSON.stringify(r)}\n`)
    .join('');
}

/** The path the echo server saw for GET /bench-edit/x through Envoy, or '' (not routed there yet). */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/bench-edit/x', headers: { host: editHost }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(String((JSON.parse(Buffer.concat(chunks).toString()) as { path?: string }).path ?? ''));
          } catch {
            resolve('');
          }
        });
        res.on('error', () => resolve(''));
      },
    );
    req.on('error', () => resolve(''));
    req.setTimeout(5_000, () => req.destroy());
    req.end();
  });
}

async function text(url: string): Promise<string> {
  return (await fetch(url)).text();
}

/** The sum of every series of a Prometheus counter in an exposition text (those whose labels contain `label`). */
function sumMetric(exposition: string, name: string, label = ''): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (label && !line.slice(0, line.lastIndexOf(' ')).includes(label)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

function countRoutes(rc: Record<string, unknown>): number {
  const vhosts = (rc.virtual_hosts ?? []) as Array<{ routes?: unknown[] }>;
  return vhosts.reduce((n, vh) => n + (vh.routes?.length ?? 0), 0);
}

function statusField(pid: number | undefined, field: string): number {
  if (pid === undefined) return Number.NaN;
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** Resident set size now (VmRSS), MiB. */
function rssMb(pid: number | undefined): number {
  return statusField(pid, 'VmRSS');
}

/** Peak resident set size (VmHWM), MiB. */
function peakRssMb(pid: number | undefined): number {
  return statusField(pid, 'VmHWM');
}

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  why: () => string,
  dead: () => boolean,
  intervalMs = 25,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (dead() || performance.now() > deadline) throw new Error(why());
    await sleep(intervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
