import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttacheProcess,
  EnvoyProcess,
  edgeSkipReason,
  freePorts,
  listener,
  request,
  resourceDir,
  writeResources,
} from '../e2e-envoy/edge.js';
import { parsePrometheus, prometheusSkipReason, samples } from './prometheus.js';

/**
 * Envoy's own stats for Prometheus, the way Emissary serves them at /metrics,
 * without opening the admin: `sinks.file.stats` adds a listener whose only
 * routes are GET /metrics and GET /stats/prometheus, each rewritten to
 * exactly /stats/prometheus on the admin. Proven on a real Envoy: those two
 * answer Prometheus text; the admin's other endpoints (POST /quitquitquit,
 * /config_dump, /stats, /clusters, /runtime_modify…) and tricks on the path
 * (dot segments, escaped slashes, a prefix) are answered 404 by the listener,
 * and Envoy is still running with its config intact afterwards.
 */
const skip =
  edgeSkipReason('tests/observability Envoy stats') ??
  prometheusSkipReason('tests/observability Envoy stats');
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('Envoy stats through a stats listener (never the admin)', () => {
  const resources = resourceDir();
  let attache: AttacheProcess;
  let envoy: EnvoyProcess;
  let statsPort: number;
  let adminPort: number;

  beforeAll(async () => {
    const [edgePort, stats, admin, ads, adminApi] = await freePorts(5);
    statsPort = stats!;
    adminPort = admin!;
    writeResources(resources.dir, 'edge.yaml', [listener('edge', edgePort!)]);
    // The sinks are the test's own: the bootstrap gets the admin on a fixed port and the stats listener.
    attache = await AttacheProcess.start({
      resources: resources.dir,
      adsPort: ads!,
      adminPort: adminApi!,
      config: {
        sinks: {
          ads: { address: `127.0.0.1:${ads}` },
          file: {
            path: 'envoy-bootstrap.json',
            format: 'json',
            mode: 'ads',
            ads: { host: '127.0.0.1', port: ads, delta: true },
            admin: { host: '127.0.0.1', port: adminPort },
            stats: { host: '127.0.0.1', port: statsPort },
          },
        },
      },
    });
    envoy = await EnvoyProcess.start({
      bootstrap: attache.bootstrapPath,
      name: 'stats-envoy',
      keepAdmin: true,
    });
  });

  afterAll(async () => {
    await envoy?.stop();
    await attache?.stop();
    resources.remove();
  });

  it('answers GET /metrics and GET /stats/prometheus with Envoy stats in Prometheus text', async () => {
    for (const path of ['/metrics', '/stats/prometheus', '/metrics?usedonly']) {
      const r = await request(statsPort, path);
      expect(r.status, path).toBe(200);
      const scrape = parsePrometheus(r.body);
      // Envoy's own series: the listener manager saw the dynamic Listener arrive over ADS.
      // (Envoy writes counters without '_total'; the parser names their samples with it.)
      const lds = samples(scrape, 'envoy_listener_manager_lds_update_success_total');
      expect(lds.length, path).toBe(1);
      expect(Number(lds[0]!.value)).toBeGreaterThanOrEqual(1);
      expect(samples(scrape, 'envoy_server_live').map((s) => s.value)).toEqual([1]);
    }
  });

  it('never reaches the rest of the admin: other paths, other methods, path tricks are 404 from the listener', async () => {
    const before = { names: await envoy.dynamicNames(), stats: await envoy.xdsStats() };
    const attempts: Array<[string, string]> = [
      ['POST', '/quitquitquit'],
      ['GET', '/quitquitquit'],
      ['GET', '/config_dump'],
      ['GET', '/stats'],
      ['GET', '/clusters'],
      ['GET', '/server_info'],
      ['POST', '/runtime_modify?x=1'],
      ['POST', '/logging?level=trace'],
      ['POST', '/healthcheck/fail'],
      ['POST', '/drain_listeners'],
      ['POST', '/metrics'],
      ['POST', '/stats/prometheus'],
      ['DELETE', '/metrics'],
      ['GET', '/metrics/../config_dump'],
      ['GET', '/stats/prometheus/../../quitquitquit'],
      ['GET', '/%2e%2e/config_dump'],
      ['GET', '/metrics%2F..%2Fconfig_dump'],
      ['GET', '/metricsx'],
      ['GET', '/stats/prometheus/extra'],
      ['GET', '//config_dump'],
    ];
    for (const [method, path] of attempts) {
      const r = await request(statsPort, path, { method });
      expect([404, 400], `${method} ${path} → ${r.status}`).toContain(r.status);
      // Answered by the stats listener itself (its 404 body), or refused by its connection manager (400).
      if (r.status === 404)
        expect(r.body, `${method} ${path}`).toBe('only GET /metrics and /stats/prometheus are served here\n');
    }
    // Envoy is alive, still healthy, and its configuration is what it was.
    expect((await envoy.admin('/ready')).status).toBe(200);
    expect({ names: await envoy.dynamicNames(), stats: await envoy.xdsStats() }).toEqual(before);
    expect(envoy.running).toBe(true);
  });

  it('is the listener the bootstrap declares: statically, beside the dynamic ones', async () => {
    const names = (await envoy.dynamicNames()).listeners;
    expect(names).toEqual(['default/edge']);
    const dump = JSON.parse((await envoy.admin('/config_dump?resource=static_listeners')).body) as {
      configs: Array<{ listener?: { name?: string } }>;
    };
    expect(dump.configs.map((c) => c.listener?.name)).toEqual(['attache_envoy_stats']);
  });
});
