import { afterAll, beforeAll, describe } from 'vitest';
import { type FakeKubeApiServer, startFakeKubeApiServer } from '../../packages/testkit/src/index.js';
import { defineClusterSuite } from './cluster-suite.js';

/** The end-to-end story against the fake API server: always runs. */
describe('Kubernetes end to end (fake API server)', () => {
  let server: FakeKubeApiServer;
  let port = 0;
  beforeAll(async () => {
    server = await startFakeKubeApiServer({ bookmarkIntervalMs: 500 });
    port = server.port;
  });
  afterAll(async () => {
    await server?.stop();
  });
  defineClusterSuite(() => ({
    kubeconfig: () => server.kubeconfig(),
    stopApiServer: () => server.stop(),
    startApiServer: () => server.start(port),
    servesOpenApi: false,
  }));
});
