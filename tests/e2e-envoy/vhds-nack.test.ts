import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { adsCounters, backendAt } from './ads-traffic.js';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  host,
  listener,
  mapping,
  type Obj,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';

/**
 * A VirtualHost that a real Envoy refuses over VHDS, although Attaché's
 * validation accepts it: a Mapping whose error_response_overrides body is read
 * from a file that is not on Envoy's machine (only Envoy can know). Envoy
 * reads the file when it loads the virtual host's routes and NACKs the
 * VirtualHost `<route configuration>/<virtual host>`. Shown here: the
 * rejection lands on the Host and the Mappings of that virtual host (admin
 * API and the problems page), not on the other Host, its Mapping or the
 * Listener; the other virtual host and the previous routes of the refused one
 * keep serving, a change to the other Host still reaches Envoy while the
 * rejection stays, and the fix clears it.
 */
const skip = edgeSkipReason('e2e-envoy VHDS NACK');
if (skip) console.warn(skip);

type Diag = Awaited<ReturnType<Edge['attache']['diagnostics']>>[number];
const rejections = async (edge: Edge): Promise<Diag[]> =>
  (await edge.attache.diagnostics()).filter((d) => d.code === 'ENVOY_REJECTED');
const blamed = (diagnostics: Diag[]) =>
  [...new Set(diagnostics.map((d) => `${d.resource?.kind} ${d.resource?.name}`))].sort();

for (const vhds of [true, { onDemand: true }] as const) {
  const label = vhds === true ? 'vhds' : 'vhds on demand';
  describe.skipIf(skip !== undefined)(`e2e-envoy NACK of a VirtualHost (${label})`, () => {
    let edge: Edge;
    let a: EchoServer;
    let b: EchoServer;
    let port: number;
    const resources = resourceDir();
    const missing = join(resources.dir, 'no-such-dir', 'error-body.txt');

    const hostFile = (name: string, hostname: string, mappings: Obj[]): Obj[] => [
      host(name, { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
      ...mappings,
    ];
    const brokenMapping = () =>
      mapping('a-broken', {
        hostname: 'a.example.com',
        prefix: '/broken/',
        service: a.address,
        error_response_overrides: [
          { on_status_code: 503, body: { text_format_source: { filename: missing } } },
        ],
      });

    beforeAll(async () => {
      [a, b] = (await Promise.all(['a', 'b'].map((name) => EchoServer.start({ name })))) as [
        EchoServer,
        EchoServer,
      ];
      port = await freePort();
      writeResources(resources.dir, 'listener.yaml', [listener('edge', port)]);
      writeResources(
        resources.dir,
        'a.yaml',
        hostFile('a', 'a.example.com', [
          mapping('a-api', { hostname: 'a.example.com', prefix: '/api/', service: a.address }),
        ]),
      );
      writeResources(
        resources.dir,
        'b.yaml',
        hostFile('b', 'b.example.com', [
          mapping('b-api', { hostname: 'b.example.com', prefix: '/api/', service: b.address }),
        ]),
      );
      edge = await startEdge({
        resources: resources.dir,
        vhds,
        name: `vhds-nack-${label.replaceAll(' ', '-')}`,
      });
      await edge.envoy.waitFor(
        async () =>
          (await backendAt(port, '/api/x', 'a.example.com')) === 'a' &&
          (await backendAt(port, '/api/x', 'b.example.com')) === 'b',
        { what: 'both Hosts routed', timeoutMs: 20_000 },
      );
    });
    afterAll(async () => {
      await edge?.stop();
      await Promise.all([a?.close(), b?.close()]);
      resources.remove();
    });
    beforeEach(() => {
      onTestFailed(() => console.error(edge.envoy.tail(40), '\n--- attache ---\n', edge.attache.tail(40)));
    });

    it('validation accepts the Mapping; Envoy refuses its VirtualHost, and the rejection names the Host and its Mappings', async () => {
      writeResources(
        resources.dir,
        'a.yaml',
        hostFile('a', 'a.example.com', [
          mapping('a-api', { hostname: 'a.example.com', prefix: '/api/', service: a.address }),
          brokenMapping(),
        ]),
      );
      let found: Diag[] = [];
      await edge.attache.waitFor(
        async () => {
          found = await rejections(edge);
          return found.length > 0;
        },
        { what: 'ENVOY_REJECTED diagnostics', timeoutMs: 20_000 },
      );
      // Nothing else is wrong: our validation took the Mapping.
      expect(
        (await edge.attache.diagnostics()).filter((d) => d.severity === 'error').map((d) => d.code),
      ).toEqual(found.map(() => 'ENVOY_REJECTED'));
      expect(blamed(found)).toEqual(['Host a', 'Mapping a-api', 'Mapping a-broken']);
      for (const d of found) {
        expect(d.message).toMatch(/rejected VirtualHost \S+\/default%2Fa: /);
        expect(d.message).toContain('error-body.txt');
        expect(String(d.resource?.source)).toContain('a.yaml');
      }
      const counters = await adsCounters(edge.attache);
      expect(counters.get('attache_xds_nacks_total{VirtualHost,delta}')).toBe(1);
      const stats = await edge.envoy.stats('update_rejected');
      expect([...stats].some(([name, value]) => name.includes('vhds') && value > 0)).toBe(true);
    });

    it('the problems page shows the rejection under the Mapping', async () => {
      const page = String((await edge.attache.api('/')).body);
      const start = page.indexOf('id="problems"');
      const problems = page.slice(start, page.indexOf('</section>', start));
      expect(problems).toContain('ENVOY_REJECTED');
      expect(problems).toContain('a-broken');
      expect(problems).not.toContain('b-api');
    });

    it('the rest keeps serving: the other Host, and the refused one on its previous routes', async () => {
      expect(await backendAt(port, '/api/x', 'b.example.com')).toBe('b');
      expect(await backendAt(port, '/api/x', 'a.example.com')).toBe('a');
      // The refused routes never reached Envoy: /broken/ is not routed.
      expect(await backendAt(port, '/broken/x', 'a.example.com')).not.toBe('a');
    });

    it('a change to the other Host reaches Envoy, and the rejection stays where it was', async () => {
      writeResources(
        resources.dir,
        'b.yaml',
        hostFile('b', 'b.example.com', [
          mapping('b-api', { hostname: 'b.example.com', prefix: '/api/', service: b.address }),
          mapping('b-new', { hostname: 'b.example.com', prefix: '/new/', service: b.address }),
        ]),
      );
      await edge.envoy.waitFor(async () => (await backendAt(port, '/new/x', 'b.example.com')) === 'b', {
        what: 'b-new routed',
        timeoutMs: 20_000,
      });
      expect(blamed(await rejections(edge))).toEqual(['Host a', 'Mapping a-api', 'Mapping a-broken']);
    });

    it('the fix clears the rejection and Envoy takes the virtual host', async () => {
      writeResources(
        resources.dir,
        'a.yaml',
        hostFile('a', 'a.example.com', [
          mapping('a-api', { hostname: 'a.example.com', prefix: '/api/', service: a.address }),
          mapping('a-broken', { hostname: 'a.example.com', prefix: '/broken/', service: a.address }),
        ]),
      );
      await edge.envoy.waitFor(async () => (await backendAt(port, '/broken/x', 'a.example.com')) === 'a', {
        what: 'a-broken routed once fixed',
        timeoutMs: 20_000,
      });
      await edge.attache.waitFor(async () => (await rejections(edge)).length === 0, {
        what: 'the rejection cleared',
        timeoutMs: 20_000,
      });
    });
  });
}
