import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubernetesSourceConfigSchema, watchedKinds } from '@attache/plugin-source-kubernetes';
import { startFakeKubeApiServer } from '@attache/testkit';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { crdKinds } from './kinds.js';
import { structuralProblems } from './structural-check.js';
import type { JsonSchema } from './to-structural.js';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'deploy');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML manifests, read field by field by the assertions
  [k: string]: any;
}

let cached: Manifest[] | undefined;

function manifests(): Manifest[] {
  cached ??= readAll();
  return cached;
}

function readAll(): Manifest[] {
  return readdirSync(deployDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((doc) => {
        expect(doc.errors, file).toEqual([]);
        return { file, ...(doc.toJS() as object) } as Manifest;
      }),
    )
    .filter((m) => m.kind !== undefined);
}

const knownKinds: Record<string, string> = {
  Namespace: 'v1',
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  Deployment: 'apps/v1',
  IngressClass: 'networking.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  Listener: 'getambassador.io/v3alpha1',
};

const find = (kind: string, name: string) =>
  manifests().find((m) => m.kind === kind && m.metadata.name === name);

describe('deploy/', () => {
  it('holds only known kinds with their apiVersions, named and namespaced where they must be', () => {
    const all = manifests();
    expect(all.length).toBeGreaterThan(20);
    for (const m of all) {
      expect(knownKinds[m.kind], `${m.file}: ${m.kind}`).toBe(m.apiVersion);
      expect(m.metadata?.name, m.file).toMatch(/^[a-z0-9.-]+$/);
      const namespaced = ![
        'Namespace',
        'ClusterRole',
        'ClusterRoleBinding',
        'IngressClass',
        'CustomResourceDefinition',
      ].includes(m.kind);
      expect(m.metadata.namespace !== undefined, `${m.file}: ${m.kind} ${m.metadata.name} namespace`).toBe(
        namespaced,
      );
    }
  });

  it('installs a structural CRD for every getambassador.io kind the source watches', () => {
    const crds = manifests().filter((m) => m.kind === 'CustomResourceDefinition');
    const sourceKinds = watchedKinds
      .filter((k) => k.role === 'ambassador')
      .map((k) => k.kind)
      .sort();
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(sourceKinds);
    expect(crdKinds.map((k) => k.kind).sort()).toEqual(sourceKinds);
    for (const crd of crds) {
      for (const version of crd.spec.versions) {
        expect(structuralProblems(version.schema.openAPIV3Schema as JsonSchema), crd.metadata.name).toEqual(
          [],
        );
        expect(version.subresources?.status, crd.metadata.name).toEqual({});
      }
    }
  });

  it('grants exactly the verbs the source uses, on exactly the resources it watches', () => {
    const role = find('ClusterRole', 'attache');
    const rules = role?.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    const granted = (group: string, resource: string) =>
      rules
        .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
        .flatMap((r) => r.verbs)
        .sort();
    for (const kind of watchedKinds) {
      const group = kind.apiVersion.includes('/') ? (kind.apiVersion.split('/')[0] ?? '') : '';
      expect(granted(group, kind.plural), `${kind.kind}`).toEqual(['list', 'watch']);
      const statusWritten = kind.role === 'ambassador' || kind.role === 'ingress';
      expect(granted(group, `${kind.plural}/status`), `${kind.kind}/status`).toEqual(
        statusWritten ? ['patch'] : [],
      );
    }
    const everyResource = rules.flatMap((r) => r.resources).length;
    expect(everyResource).toBe(
      watchedKinds.length +
        watchedKinds.filter((k) => k.role === 'ambassador' || k.role === 'ingress').length,
    );
    const lease = find('Role', 'attache-leader-election');
    expect(lease?.metadata.namespace).toBe('attache');
    expect(lease?.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
    expect(find('ClusterRoleBinding', 'attache')?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'attache', namespace: 'attache' },
    ]);
  });

  it('runs Attaché with a valid Kubernetes source config, ADS on 18000 and admin on 8877', () => {
    const config = parseYaml(find('ConfigMap', 'attache-config')?.data['attache.yaml']);
    const block = Value.Default(kubernetesSourceConfigSchema, structuredClone(config.sources.kubernetes));
    expect([...Value.Errors(kubernetesSourceConfigSchema, block)]).toEqual([]);
    expect(config.sinks.ads.address).toBe('0.0.0.0:18000');
    const container = find('Deployment', 'attache')?.spec.template.spec.containers[0];
    expect(container.ports.map((p: { containerPort: number }) => p.containerPort).sort()).toEqual([
      18000, 8877,
    ]);
    expect(find('Deployment', 'attache')?.spec.template.spec.serviceAccountName).toBe('attache');
    const svc = find('Service', 'attache');
    expect(svc?.spec.ports.map((p: { port: number }) => p.port).sort()).toEqual([18000, 8877]);
    const [statusNs, statusName] = config.sources.kubernetes.statusService.split('/');
    expect(find('Service', statusName)?.metadata.namespace).toBe(statusNs);
  });

  it('boots Envoy from an ADS bootstrap that points at the attache Service', () => {
    const bootstrap = parseYaml(find('ConfigMap', 'envoy-bootstrap')?.data['envoy.yaml']);
    expect(bootstrap.dynamic_resources.ads_config.api_type).toBe('GRPC');
    expect(bootstrap.dynamic_resources.cds_config).toMatchObject({ ads: {} });
    expect(bootstrap.dynamic_resources.lds_config).toMatchObject({ ads: {} });
    const cluster = bootstrap.static_resources.clusters.find(
      (c: { name: string }) => c.name === 'attache_ads',
    );
    const address = cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    expect(address).toEqual({ address: 'attache.attache.svc', port_value: 18000 });
    const envoy = find('Deployment', 'envoy')?.spec.template.spec;
    expect(envoy.volumes[0].configMap.name).toBe('envoy-bootstrap');
  });

  it('applies cleanly to an API server, CRDs first, and then serves the new kinds', async () => {
    const server = await startFakeKubeApiServer();
    try {
      for (const m of manifests()) {
        const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
        const plural = m.kind === 'IngressClass' ? 'ingressclasses' : `${m.kind.toLowerCase()}s`;
        const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
        const path = m.metadata.namespace
          ? `${base}/namespaces/${m.metadata.namespace}/${plural}`
          : `${base}/${plural}`;
        const { file: _f, ...body } = m;
        const res = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
        expect(res.status, `${m.file} ${m.kind} ${m.metadata.name}: ${await res.clone().text()}`).toBe(201);
      }
      for (const k of crdKinds) {
        const res = await fetch(
          `${server.url}/apis/getambassador.io/v3alpha1/namespaces/default/${k.plural}`,
        );
        expect(res.status, k.kind).toBe(200);
      }
    } finally {
      await server.stop();
    }
  });
});
