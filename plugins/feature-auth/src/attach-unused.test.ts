import {
  compile,
  createIncrementalCompiler,
  createPipeline,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { pipelineWithRuns, storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { attachAuth } from './attach.js';
import { featureAuthPlugin } from './index.js';

const pipeline = createPipeline([httpPlugin, featureAuthPlugin, envoyPlugin]);
/**
 * The same pipeline with the attach pass looking at every Mapping's auth_service and finding
 * each route's Mapping in an index of every route name (no skipping, no provenance).
 */
const fullPipeline = pipelineWithRuns(pipeline, {
  'feature-auth.attach': (ctx) => attachAuth(ctx as never, true),
});

const bytes = (result: ReturnType<typeof compile>) =>
  JSON.stringify({ xds: result.xds, diagnostics: result.diagnostics });

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const resource = (kind: string, name: string, spec: Record<string, unknown>, namespace = 'default') =>
  storedResource({ apiVersion: 'getambassador.io/v3alpha1', kind, metadata: { name, namespace }, spec });

/** Names an auth_service may hold: AuthServices that exist (or may), one that never does, a wrong value. */
const authNames = ['everyone', 'partner-auth', 'strict.security', 'nobody', '', 7] as const;

/**
 * A random input: Hosts (some naming an AuthService), Mappings with and without auth_service,
 * bypass_auth and auth_context_extensions, host redirects, sometimes AuthServices (global
 * and named) and the Module's probes. With `unused`, no AuthService and no auth field.
 */
function randomInput(random: Random, unused: boolean): StoredResource[] {
  const out: StoredResource[] = [
    resource('Listener', 'http', {
      port: 8080,
      protocol: 'HTTP',
      securityModel: pick(random, ['XFP', 'INSECURE']),
      hostBinding: { namespace: { from: 'ALL' } },
    }),
  ];
  const hosts = 1 + Math.floor(random() * 3);
  for (let h = 0; h < hosts; h++) {
    const spec: Record<string, unknown> = {
      hostname: `h${h}.example.com`,
      requestPolicy: { insecure: { action: pick(random, ['Route', 'Redirect']) } },
    };
    if (!unused && random() < 0.3) spec.auth_service = pick(random, authNames);
    out.push(resource('Host', `h${h}`, spec));
  }
  if (!unused) {
    if (random() < 0.6)
      out.push(resource('AuthService', 'everyone', { auth_service: 'auth:3000', proto: 'http' }));
    if (random() < 0.5)
      out.push(
        resource('AuthService', 'partner-auth', {
          auth_service: 'partners:9000',
          proto: 'grpc',
          protocol_version: 'v3',
          scope: 'named',
        }),
      );
    if (random() < 0.3)
      out.push(
        resource('AuthService', 'strict', { auth_service: 'strict:3000', scope: 'named' }, 'security'),
      );
  }
  if (random() < 0.3)
    out.push(resource('Module', 'ambassador', { config: { add_linkerd_headers: random() < 0.5 } }));
  const mappings = 1 + Math.floor(random() * 8);
  for (let m = 0; m < mappings; m++) {
    const spec: Record<string, unknown> = {
      hostname: random() < 0.5 ? '*' : `h${Math.floor(random() * hosts)}.example.com`,
      prefix: `/m${m}/`,
      service: `s${m}`,
    };
    if (random() < 0.1) {
      spec.host_redirect = true;
      spec.service = 'elsewhere.example.com';
    }
    if (!unused && random() < 0.3) spec.auth_service = pick(random, authNames);
    if (!unused && random() < 0.3) spec.bypass_auth = pick(random, [true, false]);
    if (!unused && random() < 0.3) spec.auth_context_extensions = pick(random, [{ b: '2', a: '1' }, {}]);
    out.push(resource('Mapping', `m${m}`, spec, pick(random, ['default', 'team'])));
  }
  return out;
}

describe('feature-auth attach, on inputs that do and do not use external authorisation', () => {
  it('gives the bytes of looking at every Mapping and finding routes by name', () => {
    const random = seededRandom(15);
    let unusedInputs = 0;
    let authorised = 0;
    for (let i = 0; i < 300; i++) {
      const unused = random() < 0.4;
      if (unused) unusedInputs++;
      const resources = randomInput(random, unused);
      const fast = bytes(compile(resources, pipeline, {}));
      expect(fast, `input ${i}`).toBe(bytes(compile(resources, fullPipeline, {})));
      if (fast.includes('ExtAuthzPerRoute')) authorised++;
    }
    expect(unusedInputs).toBeGreaterThan(80);
    expect(authorised).toBeGreaterThan(80);
  });

  it('an incremental compiler (routes kept from the last compile) gives the same bytes', () => {
    const random = seededRandom(16);
    const incremental = createIncrementalCompiler(pipeline);
    let resources = randomInput(random, false);
    for (let step = 0; step < 60; step++) {
      // Edit one resource, or replace the input now and then: kept routes meet new route sources.
      if (random() < 0.2) resources = randomInput(random, random() < 0.3);
      else {
        const next = randomInput(random, false);
        const at = Math.floor(random() * Math.min(resources.length, next.length));
        resources = resources.map((r, j) => (j === at ? next[j]! : r));
      }
      expect(bytes(incremental.compile(resources, {})), `step ${step}`).toBe(
        bytes(compile(resources, fullPipeline, {})),
      );
    }
  });
});
