import {
  compile,
  createIncrementalCompiler,
  createPipeline,
  type Pipeline,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { httpPlugin } from '@attache/plugin-http';
import { httpListener, pipelineWithRuns, randomInputStep, storedResource } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { attachGrpc } from './attach.js';
import { grpcPlugin } from './index.js';
import { grpcRouteOptions, grpcRouteOptionsOf, hasGrpcRouteFields } from './route-options.js';
import { contributeGrpcUpstreams } from './upstreams.js';

const pipeline = createPipeline([httpPlugin, grpcPlugin, envoyPlugin]);
/** The same pipeline with both passes looking at every Mapping in full (no skipping a Mapping without their fields). */
const fullPipeline = pipelineWithRuns(pipeline, {
  'feature-grpc.attach': (ctx) => attachGrpc(ctx, true),
  'feature-grpc.contribute-upstreams': (ctx) => contributeGrpcUpstreams(ctx, true),
});

const bytes = (resources: StoredResource[], with_: Pipeline) => {
  const result = compile(resources, with_, {});
  return JSON.stringify({ xds: result.xds, diagnostics: result.diagnostics });
};

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

/** A Mapping spec's gRPC fields (and fields beside them that their readers look at), some wrong. */
function grpcFields(random: Random, spec: Record<string, unknown>): void {
  if (random() < 0.5) spec.grpc = pick(random, [true, false]);
  if (random() < 0.3)
    spec.health_checks = [
      pick(random, [
        { health_check: { grpc: { upstream_name: 'svc.Health', authority: 'svc.internal' } } },
        { health_check: { grpc: { upstream_name: '' } } },
        { health_check: { http: { path: '/healthz' } } },
      ]),
    ];
  if (random() < 0.3)
    spec.grpc_timeout = pick(random, [
      { header_max_ms: 60000, header_offset_ms: 5 },
      { header_max_ms: -1 },
      { nope: 1 },
      'soon',
    ]);
  if (random() < 0.3)
    spec.grpc_match = pick(random, [
      { service: 'pkg.Svc' },
      { service: 'pkg.Svc', method: 'Do' },
      { service: '9bad' },
      'x',
    ]);
  if (random() < 0.3)
    spec.retry_policy = pick(random, [
      { retry_on: 'connect-failure', num_retries: 2 },
      { grpc_retry_on: ['unavailable', 'cancelled'] },
      { retry_on: '5xx', grpc_retry_on: ['nonsense'] },
    ]);
  if (random() < 0.3) spec.timeout_ms = pick(random, [0, 3000]);
  if (random() < 0.2) spec.rewrite = '/';
}

/**
 * A random input: Mappings with and without the fields the gRPC passes read, now and then a
 * Module with gRPC filters. With `unused`, no Mapping has any of them.
 */
function randomInput(random: Random, unused: boolean): StoredResource[] {
  const out: StoredResource[] = [
    httpListener(),
    storedResource({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Host',
      metadata: { name: 'h', namespace: 'default' },
      spec: { hostname: 'h.example.com', requestPolicy: { insecure: { action: 'Route' } } },
    }),
  ];
  if (random() < 0.3)
    out.push(
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config: { enable_grpc_web: random() < 0.5, enable_grpc_http11_bridge: random() < 0.5 } },
      }),
    );
  const mappings = 1 + Math.floor(random() * 8);
  for (let m = 0; m < mappings; m++) {
    const spec: Record<string, unknown> = {
      hostname: pick(random, ['*', 'h.example.com']),
      prefix: pick(random, [`/m${m}/`, '/pkg.Svc/']),
      service: `s${m}:50051`,
    };
    if (!unused && random() < 0.6) grpcFields(random, spec);
    if (random() < 0.2) spec.ambassador_id = pick(random, ['default', 'other']);
    out.push(
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: `m${m}`, namespace: 'default' },
        spec,
      }),
    );
  }
  return out;
}

describe('feature-grpc passes, on inputs that do and do not use gRPC fields', () => {
  it('give the bytes of looking at every Mapping in full', () => {
    const random = seededRandom(15);
    let unusedInputs = 0;
    let usedOutputs = 0;
    for (let i = 0; i < 300; i++) {
      const unused = random() < 0.4;
      if (unused) unusedInputs++;
      const resources = randomInput(random, unused);
      const fast = bytes(resources, pipeline);
      expect(fast, `input ${i}`).toBe(bytes(resources, fullPipeline));
      if (/max_stream_duration|grpc_health_check|GRPC_|http2_protocol_options/.test(fast)) usedOutputs++;
    }
    expect(unusedInputs).toBeGreaterThan(80);
    expect(usedOutputs).toBeGreaterThan(80);
  });

  it('under an incremental compiler (Mappings with the fields kept between compiles), the bytes of a full compile', () => {
    const random = seededRandom(17);
    const incremental = createIncrementalCompiler(pipeline);
    let resources = randomInput(random, false);
    let kept = 0;
    for (let step = 0; step < 80; step++) {
      // One resource edited, added or removed (the others the same objects), now and then a new input.
      const next = randomInput(random, random() < 0.3);
      const stepped = randomInputStep(random, resources, next);
      resources = stepped.next;
      if (stepped.edited) kept++;
      const result = incremental.compile(resources, {});
      const want = compile(resources, fullPipeline, {});
      expect(JSON.stringify({ xds: result.xds, diagnostics: result.diagnostics }), `step ${step}`).toBe(
        JSON.stringify({ xds: want.xds, diagnostics: want.diagnostics }),
      );
    }
    expect(kept).toBeGreaterThan(60);
  });

  it('a spec without the route fields has no route options and no problems', () => {
    const random = seededRandom(16);
    let without = 0;
    for (let i = 0; i < 2000; i++) {
      const spec: Record<string, unknown> = { prefix: '/' };
      grpcFields(random, spec);
      if (!hasGrpcRouteFields(spec)) {
        without++;
        expect(grpcRouteOptionsOf(spec)).toEqual({ problems: [] });
      }
      expect(grpcRouteOptions(spec)).toEqual(grpcRouteOptionsOf(spec));
    }
    expect(without).toBeGreaterThan(400);
  });
});
