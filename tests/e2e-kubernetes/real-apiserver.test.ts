import { afterAll, beforeAll, describe, it } from 'vitest';
import { defineClusterSuite } from './cluster-suite.js';
import { missingBinaries, RealControlPlane } from './kube-apiserver-harness.js';

const missing = missingBinaries();

/**
 * The end-to-end story against a real kube-apiserver + etcd. Skipped, with
 * the reason, when the binaries are absent: run tools/kube-apiserver/get.sh.
 */
describe.skipIf(missing !== undefined)('Kubernetes end to end (real kube-apiserver)', () => {
  const plane = new RealControlPlane();
  beforeAll(async () => {
    await plane.start();
  }, 180_000);
  afterAll(async () => {
    await plane.stop();
  }, 60_000);
  defineClusterSuite(() => ({
    kubeconfig: () => plane.kubeconfig(),
    stopApiServer: () => plane.stopApiServer(),
    startApiServer: () => plane.startApiServer(),
    servesOpenApi: true,
  }));
});

describe.skipIf(missing === undefined)(
  'Kubernetes end to end (real kube-apiserver): binaries missing',
  () => {
    it.skip(`skipped: ${missing}`, () => {});
  },
);
