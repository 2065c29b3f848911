import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../tools/crdgen/src/index.js';
import {
  AttacheProcess,
  cliPath,
  type FakeKubeApiServer,
  listener,
  repoRoot,
  resourceDir,
  startFakeKubeApiServer,
} from '../e2e-envoy/edge.js';
import { parsePrometheus, prometheusSkipReason, samples } from './prometheus.js';

/**
 * Leader status in /metrics is what the Kubernetes source's election says,
 * not an invention: two replicas of `attache serve` on one (fake) API server
 * with leader election on; exactly one reports attache_leader 1, and when it
 * stops the other takes the Lease and says so.
 */
const skip = existsSync(cliPath)
  ? prometheusSkipReason('tests/observability leader')
  : `\n*** tests/observability leader: SKIPPED — ${cliPath} is not built. Run 'npx -y pnpm@12.4.2 run build'.\n`;
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('attache_leader follows the Kubernetes source election', () => {
  const resources = resourceDir();
  const kubeDir = mkdtempSync(join(tmpdir(), 'attache-leader-'));
  let server: FakeKubeApiServer;
  let replicas: AttacheProcess[] = [];

  const leading = async (a: AttacheProcess): Promise<number | undefined> => {
    const text = await (await fetch(`${a.adminUrl}/metrics`)).text();
    const [sample] = samples(parsePrometheus(text), 'attache_leader', { source: 'kubernetes' });
    return sample === undefined ? undefined : Number(sample.value);
  };

  beforeAll(async () => {
    server = await startFakeKubeApiServer();
    for (const crd of loadManifests(join(repoRoot, 'deploy')).filter(
      (m) => m.kind === 'CustomResourceDefinition',
    )) {
      const { file: _file, ...body } = crd;
      server.create(body as Parameters<FakeKubeApiServer['create']>[0]);
    }
    server.create(listener('edge', 18081) as Parameters<FakeKubeApiServer['create']>[0]);
    const kubeconfig = join(kubeDir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
    replicas = await Promise.all(
      ['replica-a', 'replica-b'].map((identity) =>
        AttacheProcess.start({
          resources: resources.dir,
          config: {
            sources: {
              kubernetes: {
                kubeconfig,
                retry: { initialDelayMs: 50, maxDelayMs: 1000 },
                leaderElection: {
                  enabled: true,
                  identity,
                  leaseNamespace: 'default',
                  leaseDurationSeconds: 2,
                  retryPeriodSeconds: 0.2,
                },
              },
            },
          },
        }),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await server?.stop();
    resources.remove();
    rmSync(kubeDir, { recursive: true, force: true });
  });

  it('one replica leads, the other does not; when the leader stops, the other takes over', async () => {
    const [a, b] = replicas as [AttacheProcess, AttacheProcess];
    await a.waitFor(async () => (await leading(a)) === 1 || (await leading(b)) === 1, {
      what: 'one replica to lead',
    });
    const states = [await leading(a), await leading(b)];
    expect(states.sort()).toEqual([0, 1]);
    const [leader, follower] = (await leading(a)) === 1 ? [a, b] : [b, a];
    await leader.stop();
    await follower.waitFor(async () => (await leading(follower)) === 1, {
      what: 'the other replica to take the Lease',
      timeoutMs: 15_000,
    });
  });
});
