import { afterEach, describe, expect, it } from 'vitest';
import {
  createPipeline,
  definePlugin,
  envoyPlugin,
  httpPlugin,
  Runtime,
  type Snapshot,
  type StatusReport,
  type StoredResource,
  type StoreWriter,
  silentLogger,
  TypeUrl,
} from './deps.js';

/**
 * Last good resources, end to end (store → runtime → compile with the real
 * http and envoy plugins → snapshot, and the status report a Kubernetes source
 * gets): a Mapping that was valid and turns invalid keeps its route, with its
 * own error and RESOURCE_LAST_GOOD saying since when; a Mapping that was never
 * valid is not served; `keepLastGood: false` drops it at once.
 */

function mapping(name: string, spec: Record<string, unknown>, line = 1): StoredResource {
  return {
    resource: {
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Mapping',
      metadata: { name, namespace: 'default' },
      spec: { hostname: '*', ...spec },
    },
    origin: { source: 'file', file: 'mappings.yaml', line },
  };
}

const listener: StoredResource = {
  resource: {
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name: 'edge', namespace: 'default' },
    spec: { port: 8080, protocol: 'HTTP', securityModel: 'XFP', hostBinding: { namespace: { from: 'ALL' } } },
  },
  origin: { source: 'file', file: 'mappings.yaml', line: 100 },
};

/** A source the test drives by hand, which records the status reports it is given (as the Kubernetes source would write them). */
function memorySource() {
  const statuses: StatusReport[] = [];
  let writer: StoreWriter | undefined;
  const plugin = definePlugin({
    id: 'memory',
    register(reg) {
      reg.source({
        type: 'memory',
        create(ctx) {
          writer = ctx.store;
          return { async start() {}, async stop() {}, status: (report) => statuses.push(report) };
        },
      });
    },
  });
  return { plugin, statuses, store: () => writer! };
}

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(keepLastGood?: boolean) {
  const memory = memorySource();
  let clock = new Date('2026-12-06T07:00:00.000Z');
  runtime = new Runtime({
    pipeline: createPipeline([httpPlugin, envoyPlugin, memory.plugin]),
    sources: new Map([['memory', {}]]),
    sinks: new Map(),
    logger: silentLogger(),
    baseDir: process.cwd(),
    now: () => clock,
    ...(keepLastGood === undefined ? {} : { keepLastGood }),
  });
  await runtime.start();
  const rt = runtime;
  const store = memory.store();
  return {
    rt,
    statuses: memory.statuses,
    setClock: (iso: string) => {
      clock = new Date(iso);
    },
    async write(resources: StoredResource[]): Promise<Snapshot> {
      store.replace('mappings.yaml', [listener, ...resources]);
      store.synced();
      await rt.flush();
      return rt.snapshot()!;
    },
  };
}

/** The prefixes routed in a snapshot, with the cluster each goes to (probe routes left out). */
function routes(snapshot: Snapshot): string[] {
  const out = new Set<string>();
  for (const rc of snapshot.resources[TypeUrl.RouteConfiguration] ?? []) {
    const json = rc.resource as {
      virtual_hosts?: { routes?: { match: { prefix?: string }; route?: { cluster?: string } }[] }[];
    };
    for (const vh of json.virtual_hosts ?? []) {
      for (const r of vh.routes ?? []) {
        const prefix = r.match.prefix ?? '';
        if (prefix.startsWith('/ambassador/')) continue;
        out.add(`${prefix} -> ${r.route?.cluster ?? '?'}`);
      }
    }
  }
  return [...out].sort();
}

const codesOn = (rt: Runtime, name: string) =>
  rt
    .diagnostics()
    .filter((d) => d.resource?.name === name && d.severity === 'error')
    .map((d) => d.code);

describe('keepLastGood (the serve default)', () => {
  it('keeps serving the last good version of a Mapping that turned invalid, says so and since when, until it is fixed or deleted', async () => {
    const t = await start();
    const good = await t.write([
      mapping('api', { prefix: '/api/', service: 'api.default:8080' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    const served = routes(good);
    expect(served.some((r) => r.startsWith('/api/ -> '))).toBe(true);

    t.setClock('2026-12-06T07:05:00.000Z');
    const broken = await t.write([
      mapping('api', { prefix: '/api/', service: '' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    expect(routes(broken)).toEqual(served);
    const codes = codesOn(t.rt, 'api');
    expect(codes).toContain('RESOURCE_LAST_GOOD');
    expect(codes.filter((c) => c !== 'RESOURCE_LAST_GOOD').length).toBeGreaterThan(0);
    const lastGood = t.rt.diagnostics().find((d) => d.code === 'RESOURCE_LAST_GOOD')!;
    expect(lastGood.message).toContain('since 2026-12-06T07:05:00.000Z');
    expect(lastGood.resource).toMatchObject({ kind: 'Mapping', name: 'api', source: 'mappings.yaml:1' });
    // The status report (a Kubernetes source turns it into a condition) names both problems.
    const status = t.statuses.at(-1)!.byResource.get('getambassador.io/Mapping/default/api')!;
    expect(status.diagnostics.map((d) => d.code)).toContain('RESOURCE_LAST_GOOD');

    // Still broken, differently, later: still the last good version, still invalid since the first time.
    t.setClock('2026-12-06T07:09:00.000Z');
    const stillBroken = await t.write([
      mapping('api', { prefix: '/api/', service: 'api.default:8080', timeout_ms: '3s' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    expect(routes(stillBroken)).toEqual(served);
    expect(t.rt.diagnostics().find((d) => d.code === 'RESOURCE_LAST_GOOD')!.message).toContain(
      'since 2026-12-06T07:05:00.000Z',
    );

    // Fixed: the new version is served, and nothing is left of the fallback.
    const fixed = await t.write([
      mapping('api', { prefix: '/api/', service: 'api.default:9090' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    expect(routes(fixed)).not.toEqual(served);
    expect(routes(fixed).find((r) => r.startsWith('/api/ -> '))).toContain('9090');
    expect(codesOn(t.rt, 'api')).toEqual([]);

    // Broken again, then deleted: a deleted resource is not served from memory.
    await t.write([
      mapping('api', { prefix: '/api/', service: '' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    expect(routes(t.rt.snapshot()!).find((r) => r.startsWith('/api/ -> '))).toContain('9090');
    const deleted = await t.write([mapping('web', { prefix: '/', service: 'web.default:80' }, 10)]);
    expect(routes(deleted).some((r) => r.startsWith('/api/ -> '))).toBe(false);
    expect(t.rt.diagnostics().filter((d) => d.code === 'RESOURCE_LAST_GOOD')).toEqual([]);
  });

  it('does not serve a Mapping that was never valid', async () => {
    const t = await start();
    const snapshot = await t.write([
      mapping('api', { prefix: '/api/', service: 'api.default:8080', timeout_ms: '3s' }),
      mapping('web', { prefix: '/', service: 'web.default:80' }, 10),
    ]);
    expect(routes(snapshot).some((r) => r.startsWith('/api/ -> '))).toBe(false);
    expect(codesOn(t.rt, 'api').length).toBeGreaterThan(0);
    expect(codesOn(t.rt, 'api')).not.toContain('RESOURCE_LAST_GOOD');
  });

  it('with keepLastGood: false, drops a Mapping the moment it turns invalid', async () => {
    const t = await start(false);
    await t.write([mapping('api', { prefix: '/api/', service: 'api.default:8080' })]);
    expect(routes(t.rt.snapshot()!).some((r) => r.startsWith('/api/ -> '))).toBe(true);
    const broken = await t.write([mapping('api', { prefix: '/api/', service: '' })]);
    expect(routes(broken).some((r) => r.startsWith('/api/ -> '))).toBe(false);
    expect(codesOn(t.rt, 'api')).not.toContain('RESOURCE_LAST_GOOD');
  });
});
