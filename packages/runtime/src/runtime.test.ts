import {
  compile,
  contentHash,
  createPipeline,
  definePlugin,
  type Feedback,
  type Logger,
  type Pipeline,
  refOf,
  type Snapshot,
  type StatusReport,
  type StoredResource,
  type StoreWriter,
  TypeUrl,
} from '@attache/core';
import { describe, expect, it } from 'vitest';
import { silentLogger } from './logger.js';
import { Runtime } from './runtime.js';

/**
 * A tiny plugin set: 'example.com/Backend' resources become one Cluster each;
 * a memory source the test drives by hand; a memory sink that records what it
 * is given and in which order things were stopped.
 */
function testPipeline(events: string[]) {
  const writers = new Map<string, StoreWriter>();
  const published: Snapshot[] = [];
  const statuses: StatusReport[] = [];
  let feedback: Feedback | undefined;
  const plugin = definePlugin({
    id: 'test-kit',
    owns: ['example.com/Backend'],
    register(reg) {
      reg.diagnostics({ BACKEND_PORT_MISSING: { severity: 'error', summary: 'spec.port is required' } });
      reg.pass({
        id: 'test-kit.lower',
        phase: 'lower',
        run(ctx) {
          for (const stored of ctx.resources('example.com/Backend')) {
            const r = stored.resource;
            const ids = (r.spec?.ambassador_id as string[] | undefined) ?? ['default'];
            if (!ids.includes(ctx.options.ambassadorId ?? 'default')) continue;
            if (typeof r.spec?.port !== 'number') {
              ctx.report({
                code: 'BACKEND_PORT_MISSING',
                message: 'set spec.port',
                resource: refOf(r, stored.origin),
                path: '/spec/port',
              });
              continue;
            }
            const resource = {
              '@type': TypeUrl.Cluster,
              name: r.metadata.name,
              connectTimeout: `${r.spec.port}s`,
            };
            ctx.emit({
              typeUrl: TypeUrl.Cluster,
              name: r.metadata.name,
              resource,
              version: contentHash(resource),
              provenance: [refOf(r, stored.origin)],
            });
          }
        },
      });
      for (const name of ['one', 'two']) {
        reg.source({
          type: `memory-${name}`,
          create(ctx) {
            writers.set(name, ctx.store);
            return {
              async start() {
                events.push(`source ${name} start`);
              },
              async stop() {
                events.push(`source ${name} stop`);
              },
              status(report) {
                statuses.push(report);
              },
            };
          },
        });
      }
      reg.sink({
        type: 'memory',
        create(ctx) {
          feedback = ctx.feedback;
          return {
            async start() {
              events.push('sink start');
            },
            publish(snapshot) {
              events.push(`publish ${snapshot.group}#${snapshot.serial}`);
              published.push(snapshot);
            },
            async stop() {
              events.push('sink stop');
            },
          };
        },
      });
    },
  });
  return {
    pipeline: createPipeline([plugin]),
    writers,
    published,
    statuses,
    feedback: () => feedback!,
  };
}

const backend = (name: string, port?: number, extra: Record<string, unknown> = {}): StoredResource => ({
  resource: {
    apiVersion: 'example.com/v1',
    kind: 'Backend',
    metadata: { name, namespace: 'default' },
    spec: { ...(port === undefined ? {} : { port }), ...extra },
  },
  origin: { source: 'memory', file: `${name}.yaml`, line: 1 },
});

function makeRuntime(
  pipeline: Pipeline,
  opts: { sources?: string[]; groups?: string[]; compiler?: typeof compile } = {},
) {
  return new Runtime({
    pipeline,
    sources: new Map((opts.sources ?? ['memory-one']).map((s) => [s, {}])),
    sinks: new Map([['memory', {}]]),
    ...(opts.groups ? { groups: opts.groups } : {}),
    ...(opts.compiler ? { compiler: opts.compiler } : {}),
    debounce: { quietMs: 5, maxMs: 20 },
    logger: silentLogger(),
    baseDir: '/',
  });
}

describe('Runtime', () => {
  it('publishes nothing before every source has synced', async () => {
    const events: string[] = [];
    const t = testPipeline(events);
    const runtime = makeRuntime(t.pipeline, { sources: ['memory-one', 'memory-two'] });
    await runtime.start();
    t.writers.get('one')!.replace('a', [backend('a', 1)]);
    t.writers.get('one')!.synced();
    await runtime.flush();
    expect(t.published).toHaveLength(0);
    t.writers.get('two')!.synced();
    await runtime.flush();
    expect(t.published).toHaveLength(1);
    expect(t.published[0]!.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual(['a']);
    await runtime.stop();
  });

  it('debounces a burst of writes into one publication', async () => {
    const t = testPipeline([]);
    const runtime = makeRuntime(t.pipeline);
    await runtime.start();
    const w = t.writers.get('one')!;
    const cycle = new Promise<void>((resolve) => runtime.onCycle(() => resolve()));
    w.upsert('p', backend('a', 1));
    w.upsert('p', backend('b', 2));
    w.synced();
    await cycle;
    expect(t.published).toHaveLength(1);
    expect(t.published[0]!.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual(['a', 'b']);
    await runtime.stop();
  });

  it('keeps the serial when nothing Envoy sees changed, and moves it when something did', async () => {
    const t = testPipeline([]);
    const runtime = makeRuntime(t.pipeline);
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('a', 1)]);
    w.synced();
    await runtime.flush();
    const first = runtime.snapshot()!;
    w.replace('p', [backend('a', 1)]);
    await runtime.flush();
    expect(runtime.snapshot()!.serial).toBe(first.serial);
    expect(t.published).toHaveLength(1);
    w.replace('p', [backend('a', 3)]);
    await runtime.flush();
    expect(runtime.snapshot()!.serial).toBe(first.serial + 1);
    expect(runtime.snapshot()!.version).not.toBe(first.version);
    expect(t.published).toHaveLength(2);
    await runtime.stop();
  });

  it('publishes the good rest when one resource is bad, with its diagnostic', async () => {
    const t = testPipeline([]);
    const runtime = makeRuntime(t.pipeline);
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('good', 1), backend('bad')]);
    w.replace('q', [], [{ code: 'SOURCE_ERROR', message: 'q.yaml:2: bad indentation' }]);
    w.synced();
    await runtime.flush();
    const snap = t.published.at(-1)!;
    expect(snap.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual(['good']);
    expect(snap.diagnostics.map((d) => [d.code, d.resource?.name, d.path])).toEqual([
      ['SOURCE_ERROR', undefined, undefined],
      ['BACKEND_PORT_MISSING', 'bad', '/spec/port'],
    ]);
    await runtime.stop();
  });

  it('logs each problem once, when it first appears', async () => {
    const t = testPipeline([]);
    const errors: Array<[unknown, string | undefined]> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (obj, msg) => errors.push([obj, msg]),
      child: () => logger,
    };
    const runtime = new Runtime({
      pipeline: t.pipeline,
      sources: new Map([['memory-one', {}]]),
      sinks: new Map(),
      debounce: { quietMs: 5, maxMs: 20 },
      logger,
      baseDir: '/',
    });
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('bad')]);
    w.synced();
    await runtime.flush();
    w.replace('p', [backend('bad'), backend('good', 1)]);
    await runtime.flush();
    expect(errors).toEqual([
      [
        {
          code: 'BACKEND_PORT_MISSING',
          resource: 'Backend default/bad',
          at: 'bad.yaml:1',
          path: '/spec/port',
        },
        'set spec.port',
      ],
    ]);
    await runtime.stop();
  });

  it('keeps the last good snapshot when compile throws', async () => {
    const t = testPipeline([]);
    let broken = false;
    const compiler: typeof compile = (...args) => {
      if (broken) throw new Error('plugin bug');
      return compile(...args);
    };
    const runtime = makeRuntime(t.pipeline, { compiler });
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('a', 1)]);
    w.synced();
    await runtime.flush();
    const good = runtime.snapshot()!;
    broken = true;
    w.replace('p', [backend('b', 1)]);
    await runtime.flush();
    expect(runtime.snapshot()).toBe(good);
    expect(t.published).toHaveLength(1);
    broken = false;
    w.replace('p', [backend('c', 1)]);
    await runtime.flush();
    expect(runtime.snapshot()!.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual(['c']);
    await runtime.stop();
  });

  it('compiles one snapshot per ambassador_id group', async () => {
    const t = testPipeline([]);
    const runtime = makeRuntime(t.pipeline, { groups: ['default', 'edge'] });
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [
      backend('shared', 1, { ambassador_id: ['default', 'edge'] }),
      backend('edge-only', 2, { ambassador_id: ['edge'] }),
    ]);
    w.synced();
    await runtime.flush();
    expect(runtime.snapshot('default')!.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual(['shared']);
    expect(runtime.snapshot('edge')!.resources[TypeUrl.Cluster].map((c) => c.name)).toEqual([
      'edge-only',
      'shared',
    ]);
    expect(t.published.map((s) => s.group)).toEqual(['default', 'edge']);
    await runtime.stop();
  });

  it('maps an Envoy NACK through provenance onto the input resource, and clears it on ACK', async () => {
    const t = testPipeline([]);
    const runtime = makeRuntime(t.pipeline);
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('a', 1), backend('b', 2)]);
    w.synced();
    await runtime.flush();
    t.feedback().rejected({
      group: 'default',
      typeUrl: TypeUrl.Cluster,
      resourceNames: ['b'],
      message: 'connect_timeout out of range',
      client: 'envoy-1',
    });
    const rejected = runtime.diagnostics().filter((d) => d.code === 'ENVOY_REJECTED');
    expect(rejected.map((d) => [d.resource?.kind, d.resource?.name, d.resource?.source])).toEqual([
      ['Backend', 'b', 'b.yaml:1'],
    ]);
    const lastStatus = t.statuses.at(-1)!;
    expect(
      lastStatus.byResource.get('example.com/Backend/default/b')!.diagnostics.map((d) => d.code),
    ).toEqual(['ENVOY_REJECTED']);
    expect(lastStatus.byResource.get('example.com/Backend/default/a')!.diagnostics).toEqual([]);
    t.feedback().accepted({ group: 'default', typeUrl: TypeUrl.Cluster, client: 'envoy-1' });
    expect(runtime.diagnostics().filter((d) => d.code === 'ENVOY_REJECTED')).toEqual([]);
    expect(t.statuses.at(-1)!.byResource.get('example.com/Backend/default/b')!.diagnostics).toEqual([]);
    await runtime.stop();
  });

  it('stops sources, flushes pending changes, then stops sinks', async () => {
    const events: string[] = [];
    const t = testPipeline(events);
    const runtime = makeRuntime(t.pipeline);
    await runtime.start();
    const w = t.writers.get('one')!;
    w.replace('p', [backend('a', 1)]);
    w.synced();
    await runtime.flush();
    w.replace('p', [backend('a', 2)]); // pending when stop() begins
    await runtime.stop();
    expect(events).toEqual([
      'sink start',
      'source one start',
      'publish default#1',
      'source one stop',
      'publish default#2',
      'sink stop',
    ]);
    expect(runtime.state).toBe('stopped');
    await runtime.stop();
    expect(events.filter((e) => e === 'sink stop')).toHaveLength(1);
  });
});
