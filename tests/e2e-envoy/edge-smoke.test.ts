import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  listener,
  mapping,
  request,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';

/**
 * The smallest whole edge: `attache serve` on a folder, a real Envoy on the
 * bootstrap it wrote, a request answered by the upstream a Mapping names.
 * The other suites in this folder build on the same harness (edge.ts).
 */
const skip = edgeSkipReason('e2e-envoy smoke');
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('e2e-envoy: attache serve → real Envoy → upstream', () => {
  let edge: Edge;
  let upstream: EchoServer;
  let port: number;
  const resources = resourceDir();

  beforeAll(async () => {
    upstream = await EchoServer.start({ name: 'api' });
    port = await freePort();
    writeResources(resources.dir, 'edge.yaml', [
      listener('edge', port),
      mapping('api', { prefix: '/api/', service: upstream.address }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'smoke' });
  });
  afterAll(async () => {
    await edge?.stop();
    await upstream?.close();
    resources.remove();
  });

  it('routes a request through Envoy to the Mapping’s upstream, with Emissary’s prefix rewrite', async () => {
    onTestFailed(() => console.error(edge.envoy.tail(80), edge.attache.tail(40)));
    await edge.envoy.waitFor(async () => (await edge.envoy.dynamicNames()).listeners.length > 0, {
      what: 'a dynamic listener',
    });
    const response = await request(port, '/api/v1/x', { host: 'anything.example' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      backend: 'api',
      path: '/v1/x',
      host: 'anything.example',
    });
    const xds = await edge.envoy.xdsStats();
    expect(xds.lds.updateSuccess).toBeGreaterThan(0);
    expect(xds.cds.updateSuccess).toBeGreaterThan(0);
    expect(xds.lds.updateRejected + xds.cds.updateRejected + xds.rds.updateRejected).toBe(0);
  });
});
