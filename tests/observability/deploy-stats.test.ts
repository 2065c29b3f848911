import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statsListenerResources } from '../../packages/envoy/src/index.js';
import { findEnvoyBinary, repoRoot } from '../e2e-envoy/edge.js';

const requireFromTestkit = createRequire(new URL('../../packages/testkit/package.json', import.meta.url));
const { parseAllDocuments, parse } = requireFromTestkit('yaml') as typeof import('yaml');

/**
 * deploy/04-envoy.yaml's bootstrap is written by hand; its stats listener and
 * admin cluster must stay exactly what `sinks.file.stats` generates (proven on
 * a real Envoy in envoy-stats.test.ts), with the ConfigMap's own admin address,
 * and the pod must expose and announce the port.
 */
/** The parts of the manifests this test reads. */
interface Manifest {
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
  spec: {
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: Array<{ ports: unknown[] }> };
    };
  };
}
interface Bootstrap {
  admin: { address: { socket_address: { address: string; port_value: number } } };
  static_resources: { listeners: unknown[]; clusters: Array<{ name: string }> };
}

const manifests = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/04-envoy.yaml'), 'utf8')).map(
  (d) => d.toJS() as Manifest,
);
const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'envoy-bootstrap')!;
const text = configMap.data['envoy.yaml'] as string;
const bootstrap = parse(text) as Bootstrap;

describe('deploy/04-envoy.yaml serves Envoy stats for Prometheus', () => {
  it('has the generated stats listener and admin cluster, pointed at its own admin address', () => {
    const admin = bootstrap.admin.address.socket_address;
    const expected = statsListenerResources(
      { address: '0.0.0.0', port: 8878 },
      { address: admin.address, port: admin.port_value },
    );
    expect(bootstrap.static_resources.listeners).toEqual([expected.listener]);
    expect(bootstrap.static_resources.clusters.find((c) => c.name === 'attache_envoy_admin')).toEqual(
      expected.cluster,
    );
    expect(admin.address).toBe('127.0.0.1');
  });

  it('exposes the port on the pod and announces it to Prometheus', () => {
    const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'envoy')!;
    const pod = deployment.spec.template;
    expect(pod.spec.containers[0]!.ports).toContainEqual({ name: 'metrics', containerPort: 8878 });
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8878',
      'prometheus.io/path': '/metrics',
    });
  });

  it("announces the control plane's own /metrics on the admin port", () => {
    const attache = parseAllDocuments(readFileSync(join(repoRoot, 'deploy/03-attache.yaml'), 'utf8'))
      .map((d) => d.toJS() as Manifest)
      .find((m) => m.kind === 'Deployment' && m.metadata.name === 'attache')!;
    const pod = attache.spec.template;
    expect(pod.spec.containers[0]!.ports).toContainEqual({
      name: 'admin',
      containerPort: 8877,
      protocol: 'TCP',
    });
    expect(pod.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8877',
      'prometheus.io/path': '/metrics',
    });
  });

  it.skipIf(!findEnvoyBinary())('is a bootstrap a real Envoy accepts (envoy --mode validate)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-deploy-'));
    try {
      writeFileSync(join(dir, 'envoy.yaml'), text);
      const out = execFileSync(
        findEnvoyBinary()!,
        ['--mode', 'validate', '-c', join(dir, 'envoy.yaml'), '--use-dynamic-base-id', '-l', 'error'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).toContain('OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
