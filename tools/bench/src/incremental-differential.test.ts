import { definePlugin, type Resource, type StoredResource } from '@attache/core';
import { featureAuthPlugin } from '@attache/plugin-feature-auth';
import { grpcPlugin } from '@attache/plugin-feature-grpc';
import { ratelimitPlugin } from '@attache/plugin-feature-ratelimit';
import { tcpPlugin } from '@attache/plugin-feature-tcp';
import { describe, expect, it } from 'vitest';
import { compilePlugins } from './compile-plugins.js';
import { editKinds, runDifferential } from './incremental-differential.js';

describe('incremental compile, differential', () => {
  it('after every random edit (seeded), the incremental result equals a fresh full compile byte for byte', () => {
    const steps = runDifferential({ seed: 15, steps: 60, hosts: 3, mappings: 80, plugins: compilePlugins });
    const different = steps.filter((s) => !s.equal);
    expect(different.map((s) => `step ${s.step}: ${s.edit}`)).toEqual([]);
    expect(steps).toHaveLength(60);
    // The sequence exercised every kind of edit, and the memo did serve unchanged resources.
    const seen = new Set(steps.map((s) => s.edit.split(' ')[0]));
    expect(seen.size).toBeGreaterThanOrEqual(editKinds.length - 1);
    expect(steps.some((s) => s.memoHits > 0)).toBe(true);
    expect(steps.filter((s) => s.edit === 'no change').every((s) => s.unchanged)).toBe(true);
  });

  it('with feature plugins at work (auth filters and per-route configs, rate limits, gRPC), the same', () => {
    const input = (resource: Resource): StoredResource => ({
      resource,
      origin: { source: 'test', file: 'features.yaml', line: 1 },
    });
    const features = [
      input({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'AuthService',
        metadata: { name: 'authn', namespace: 'edge' },
        spec: { auth_service: 'ext-authz.security:9000', proto: 'grpc', protocol_version: 'v3' },
      }),
      input({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'RateLimitService',
        metadata: { name: 'ratelimit', namespace: 'edge' },
        spec: { service: 'ratelimit.infra:8081', protocol_version: 'v3', domain: 'edge' },
      }),
      input({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'grpc-one', namespace: 'team-1' },
        spec: {
          hostname: '*',
          prefix: '/grpc.Svc/',
          service: 'grpc-svc.team-1:50051',
          grpc: true,
          labels: { ambassador: [{ request_label_group: [{ generic_key: { value: 'g' } }] }] },
        },
      }),
      input({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'bypass', namespace: 'team-2' },
        spec: { hostname: '*', prefix: '/open/', service: 'open.team-2:80', bypass_auth: true },
      }),
    ];
    const steps = runDifferential({
      seed: 15,
      steps: 40,
      hosts: 3,
      mappings: 60,
      plugins: [...compilePlugins, featureAuthPlugin, ratelimitPlugin, grpcPlugin, tcpPlugin],
      extraInputs: features,
    });
    expect(steps.filter((s) => !s.equal).map((s) => `step ${s.step}: ${s.edit}`)).toEqual([]);
    expect(steps).toHaveLength(40);
  });

  it('with more Hosts than lowering merges route lists for (a kept provenance union), the same', () => {
    const steps = runDifferential({ seed: 15, steps: 25, hosts: 70, mappings: 280, plugins: compilePlugins });
    expect(steps.filter((s) => !s.equal).map((s) => `step ${s.step}: ${s.edit}`)).toEqual([]);
    expect(steps).toHaveLength(25);
  });

  it('catches a pass whose memo entry depends on more than its key and salt', () => {
    // Reports, per Mapping, how many Mappings there are, but memoises per Mapping alone: wrong after an add.
    const careless = definePlugin({
      id: 'careless',
      register(reg) {
        reg.diagnostics({ CARELESS_COUNT: { severity: 'info', summary: 'test' } });
        reg.pass({
          id: 'careless.count',
          phase: 'ingest',
          reason: 'test',
          run(ctx) {
            const mappings = ctx.resources('getambassador.io/Mapping');
            for (const stored of mappings) {
              const report = () =>
                ctx.report({
                  code: 'CARELESS_COUNT',
                  message: `one of ${mappings.length}`,
                  resource: { apiVersion: 'x', kind: 'Mapping', name: stored.resource.metadata.name },
                });
              if (ctx.memo) ctx.memo.reuse(stored, '', report);
              else report();
            }
          },
        });
      },
    });
    const steps = runDifferential({
      seed: 15,
      steps: 30,
      hosts: 2,
      mappings: 10,
      plugins: [...compilePlugins, careless],
    });
    expect(steps.some((s) => !s.equal)).toBe(true);
  });
});
