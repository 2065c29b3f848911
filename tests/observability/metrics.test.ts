import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypeUrl } from '../../packages/core/src/index.js';
import { XdsTestClient } from '../../packages/testkit/src/index.js';
import {
  AttacheProcess,
  cliPath,
  listener,
  mapping,
  resourceDir,
  writeResources,
} from '../e2e-envoy/edge.js';
import { family, parsePrometheus, prometheusSkipReason, type Scrape, samples, total } from './prometheus.js';

/**
 * The control plane's /metrics and JSON logs, from a real `attache serve`
 * (the built CLI in a child process) with a real ADS stream (a gRPC xDS
 * client on 127.0.0.1): every series is read back through a Prometheus text
 * parser and compared with what the admin API and the stream itself saw.
 */
const skip = existsSync(cliPath)
  ? prometheusSkipReason('tests/observability metrics')
  : `\n*** tests/observability metrics: SKIPPED — ${cliPath} is not built. Run 'npx -y pnpm@12.4.2 run build'.\n`;
if (skip) console.warn(skip);

const broken = {
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'Mapping',
  metadata: { name: 'broken', namespace: 'default' },
  spec: { hostname: '*', prefix: '/broken/' },
};

describe.skipIf(skip !== undefined)('control-plane metrics and logs from a running serve', () => {
  const resources = resourceDir();
  let attache: AttacheProcess;
  let client: XdsTestClient;
  let families: Scrape;
  let passIds: string[];
  let firstClusterBytes = 0;

  const scrape = async () => {
    const response = await fetch(`${attache.adminUrl}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parsePrometheus(await response.text());
  };

  beforeAll(async () => {
    passIds = execFileSync(process.execPath, [cliPath, 'compile', '--schedule'], { encoding: 'utf8' })
      .split('\n')
      .flatMap((line) => {
        const m = /^(ingest|resolve|build|attach|finalize|lower)\s+(\S+)/.exec(line);
        return m ? [m[2]!] : [];
      });
    writeResources(resources.dir, 'edge.yaml', [
      listener('edge', 18080),
      mapping('api', { prefix: '/api/', service: 'api:8080' }),
    ]);
    writeResources(resources.dir, 'broken.yaml', [broken]);
    attache = await AttacheProcess.start({
      resources: resources.dir,
      config: { log: { level: 'info', format: 'json' } },
    });
    client = new XdsTestClient({
      address: `127.0.0.1:${attache.adsPort}`,
      node: { id: 'metrics-client', cluster: 'observability' },
    });
    const stream = client.sotw('ads');
    stream.subscribe(TypeUrl.Cluster, []);
    const clusters = await stream.next(TypeUrl.Cluster);
    stream.ack(clusters);
    stream.subscribe(TypeUrl.Listener, []);
    const listeners = await stream.next(TypeUrl.Listener);
    stream.nack(listeners, 'Listener default/edge: cannot bind (refused by the test)');
    await attache.waitFor(
      async () => (await attache.diagnostics()).some((d) => d.code === 'ENVOY_REJECTED'),
      { what: 'the NACK as a diagnostic' },
    );
    firstClusterBytes = total(await scrape(), 'attache_xds_sent_bytes_total', { type: 'Cluster' });
    // A change: one more Mapping → a new snapshot → a second Cluster push.
    writeResources(resources.dir, 'more.yaml', [mapping('more', { prefix: '/more/', service: 'more:8080' })]);
    const second = await stream.next(TypeUrl.Cluster);
    stream.ack(second);
    await attache.waitFor(
      async () => total(await scrape(), 'attache_xds_acks_total', { type: 'Cluster', variant: 'sotw' }) === 2,
      { what: 'the second Cluster ACK to be counted' },
    );
    families = await scrape();
  });

  afterAll(async () => {
    client?.close();
    await attache?.stop();
    resources.remove();
  });

  it('parses as Prometheus text, with help and type for every family', () => {
    for (const f of families.families) {
      expect(f.help.length, f.name).toBeGreaterThan(0);
      expect(['counter', 'gauge', 'histogram', 'summary'], f.name).toContain(f.type);
    }
    expect(family(families, 'process_cpu_user_seconds')?.type).toBe('counter');
    expect(family(families, 'attache_compile_duration_seconds')?.type).toBe('histogram');
  });

  it('times every compile, and every pass of the pipeline the CLI schedules', () => {
    const cycles = total(families, 'attache_compile_duration_seconds_count');
    expect(cycles).toBeGreaterThanOrEqual(2);
    expect(total(families, 'attache_compile_duration_seconds_sum')).toBeGreaterThan(0);
    expect(total(families, 'attache_compile_duration_seconds_bucket', { le: '+Inf' })).toBe(cycles);
    expect(passIds.length).toBeGreaterThan(10);
    const timed = samples(families, 'attache_compile_pass_seconds_total').map((m) => m.labels.pass);
    expect(timed.sort()).toEqual([...passIds].sort());
    for (const m of samples(families, 'attache_compile_pass_last_seconds')) {
      expect(Number(m.value)).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts resources by kind and by Envoy type as the snapshot holds them, and the snapshot serial and version', async () => {
    expect(
      total(families, 'attache_input_resources', { api_group: 'getambassador.io', kind: 'Mapping' }),
    ).toBe(3);
    expect(total(families, 'attache_input_resources', { kind: 'Listener' })).toBe(1);
    const snapshot = (await attache.api('/api/snapshot')).body as {
      serial: number;
      version: string;
      types: Array<{ type: string; count: number }>;
    };
    for (const t of snapshot.types) {
      expect(total(families, 'attache_envoy_resources', { group: 'default', type: t.type }), t.type).toBe(
        t.count,
      );
    }
    expect(total(families, 'attache_snapshot_serial', { group: 'default' })).toBe(snapshot.serial);
    expect(
      samples(families, 'attache_snapshot_info', { group: 'default' }).map((m) => m.labels.version),
    ).toEqual([snapshot.version]);
    expect(total(families, 'attache_snapshot_publishes_total', { group: 'default' })).toBe(snapshot.serial);
  });

  it('counts current diagnostics by code and severity, the NACK included', async () => {
    const diagnostics = await attache.diagnostics();
    const expected = new Map<string, number>();
    for (const d of diagnostics)
      expected.set(`${d.code} ${d.severity}`, (expected.get(`${d.code} ${d.severity}`) ?? 0) + 1);
    const seen = new Map(
      samples(families, 'attache_diagnostics').map((m) => [
        `${m.labels.code} ${m.labels.severity}`,
        Number(m.value),
      ]),
    );
    expect(seen).toEqual(expected);
    expect(seen.get('ENVOY_REJECTED error')).toBe(1);
    expect([...seen.keys()].some((k) => k.startsWith('MAPPING_') && k.endsWith(' error'))).toBe(true);
  });

  it('counts ADS streams by group and type, pushes, ACKs, NACKs and bytes sent', () => {
    for (const type of ['Cluster', 'Listener']) {
      expect(total(families, 'attache_xds_streams', { group: 'default', type, variant: 'sotw' }), type).toBe(
        1,
      );
    }
    expect(total(families, 'attache_xds_connected_streams', { service: 'ads', variant: 'sotw' })).toBe(1);
    expect(total(families, 'attache_xds_pushes_total', { type: 'Cluster', variant: 'sotw' })).toBe(2);
    expect(total(families, 'attache_xds_acks_total', { type: 'Cluster', variant: 'sotw' })).toBe(2);
    expect(total(families, 'attache_xds_nacks_total', { type: 'Listener', variant: 'sotw' })).toBe(1);
    expect(total(families, 'attache_xds_nacks_total', { type: 'Cluster', variant: 'sotw' })).toBe(0);
    expect(firstClusterBytes).toBeGreaterThan(0);
    // The second Cluster response holds one cluster more than the first: more bytes than the first again.
    const clusterBytes = total(families, 'attache_xds_sent_bytes_total', {
      type: 'Cluster',
      variant: 'sotw',
    });
    expect(clusterBytes).toBeGreaterThan(2 * firstClusterBytes);
    expect(total(families, 'attache_xds_clients_behind', { group: 'default', type: 'Listener' })).toBe(1);
    expect(total(families, 'attache_xds_clients_behind', { group: 'default', type: 'Cluster' })).toBe(0);
  });

  it('measures the watch lag of the file source, and has no leader metric without a leader election', () => {
    expect(total(families, 'attache_watch_lag_seconds_count', { source: 'file' })).toBeGreaterThanOrEqual(2);
    expect(total(families, 'attache_watch_lag_seconds_sum', { source: 'file' })).toBeGreaterThan(0);
    // The lag includes the debounce (quietMs 50 in the test config): never less than that.
    const buckets = samples(families, 'attache_watch_lag_seconds_bucket', { source: 'file', le: '0.025' });
    expect(buckets.map((b) => b.value)).toEqual([0]);
    expect(samples(families, 'attache_leader')).toEqual([]);
  });

  it('logs JSON, and every diagnostic line carries its code and resource (with file:line)', () => {
    const lines = attache
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(3);
    const diagnosticLines = lines.filter((l) => typeof l.code === 'string');
    const mapping = diagnosticLines.find((l) => String(l.code).startsWith('MAPPING_'));
    expect(mapping).toMatchObject({ resource: 'Mapping default/broken' });
    expect(String(mapping!.at)).toMatch(/broken\.yaml:1$/);
    const nack = diagnosticLines.find((l) => l.code === 'ENVOY_REJECTED');
    expect(nack).toMatchObject({ resource: 'Listener default/edge' });
    expect(String(nack!.msg)).toContain('refused by the test');
    for (const l of diagnosticLines) {
      expect(l.resource === undefined || typeof l.resource === 'string').toBe(true);
      expect(typeof l.level).toBe('number');
    }
  });
});
