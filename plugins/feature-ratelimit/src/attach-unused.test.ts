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
import { attachRateLimits } from './attach.js';
import { ratelimitPlugin } from './index.js';

const pipeline = createPipeline([httpPlugin, ratelimitPlugin, envoyPlugin]);
/** The same pipeline with the attach pass deciding for every Mapping (no look for unused fields first). */
const fullPipeline = pipelineWithRuns(pipeline, {
  'feature-ratelimit.attach': (ctx) => attachRateLimits(ctx, true),
});

const bytes = (resources: StoredResource[], with_: Pipeline) => {
  const result = compile(resources, with_, {});
  return JSON.stringify({ xds: result.xds, diagnostics: result.diagnostics });
};

type Random = () => number;
const pick = <T>(random: Random, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

/** A local_rate_limit, now and then a wrong one. */
const bucket = (random: Random) =>
  pick(random, [
    { max_tokens: 10 },
    { max_tokens: 5, fill_interval_ms: 500, status_code: 503, response_headers: { 'x-limited': 'yes' } },
    { max_tokens: 0 },
    'fast',
  ]);

/** Labels in the spelling of `v2` or v3alpha1, now and then wrong ones. */
const labels = (random: Random, v2: boolean) =>
  pick(random, [
    v2
      ? { ambassador: [{ group: ['remote_address', { 'x-user': { header: 'x-user' } }] }] }
      : { edge: [{ by: [{ remote_address: { key: 'remote_address' } }] }] },
    { edge: [{ by: [{ generic_key: { value: 'v' } }] }], other: [{ g: [{ source_cluster: {} }] }] },
    { edge: 'not-a-list' },
    {},
  ]);

/**
 * A random input: Hosts, Mappings (v3alpha1 and v2) with and without labels and
 * local_rate_limit, now and then a Module with default labels and a RateLimitService.
 * With `unused`, no Mapping or Host has a rate-limit field.
 */
function randomInput(random: Random, unused: boolean): StoredResource[] {
  const out: StoredResource[] = [httpListener()];
  const hosts = 1 + Math.floor(random() * 3);
  for (let h = 0; h < hosts; h++) {
    const spec: Record<string, unknown> = {
      hostname: `h${h}.example.com`,
      requestPolicy: { insecure: { action: 'Route' } },
    };
    if (!unused && random() < 0.3) spec.local_rate_limit = bucket(random);
    out.push(
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Host',
        metadata: { name: `h${h}`, namespace: 'default' },
        spec,
      }),
    );
  }
  if (random() < 0.4) {
    const config: Record<string, unknown> = {};
    if (random() < 0.7)
      config.default_labels = {
        [pick(random, ['edge', 'ambassador'])]: { defaults: [{ remote_address: { key: 'remote_address' } }] },
      };
    if (random() < 0.5) config.default_label_domain = pick(random, ['edge', 'ambassador', 7]);
    out.push(
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: { config },
      }),
    );
  }
  if (random() < 0.5) {
    const spec: Record<string, unknown> = { service: 'ratelimit:8081', protocol_version: 'v3' };
    if (random() < 0.6) spec.domain = pick(random, ['edge', 'ambassador']);
    out.push(
      storedResource({
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'RateLimitService',
        metadata: { name: 'rls', namespace: 'default' },
        spec,
      }),
    );
  }
  const mappings = 1 + Math.floor(random() * 8);
  for (let m = 0; m < mappings; m++) {
    const v2 = random() < 0.25;
    const spec: Record<string, unknown> = { prefix: `/m${m}/`, service: `s${m}` };
    if (!v2) spec.hostname = random() < 0.5 ? '*' : `h${Math.floor(random() * hosts)}.example.com`;
    if (random() < 0.3) spec.timeout_ms = 5000;
    if (!unused && random() < 0.4) spec.labels = labels(random, v2);
    if (!unused && random() < 0.25) spec.local_rate_limit = bucket(random);
    out.push(
      storedResource({
        apiVersion: `getambassador.io/${v2 ? 'v2' : 'v3alpha1'}`,
        kind: 'Mapping',
        metadata: { name: `m${m}`, namespace: 'default' },
        spec,
      }),
    );
  }
  return out;
}

describe('feature-ratelimit attach, on inputs that do and do not use rate limiting', () => {
  it('gives the bytes of deciding for every Mapping', () => {
    const random = seededRandom(15);
    let unusedInputs = 0;
    let rateLimited = 0;
    for (let i = 0; i < 300; i++) {
      const unused = random() < 0.4;
      if (unused) unusedInputs++;
      const resources = randomInput(random, unused);
      const fast = bytes(resources, pipeline);
      expect(fast, `input ${i}`).toBe(bytes(resources, fullPipeline));
      if (fast.includes('"rate_limits"') || fast.includes('local_ratelimit"')) rateLimited++;
    }
    // Both kinds of input were there, and rate limits were made where used (and by Module defaults).
    expect(unusedInputs).toBeGreaterThan(80);
    expect(rateLimited).toBeGreaterThan(80);
  });

  it('under an incremental compiler (Mappings with the fields kept between compiles), the bytes of a full compile', () => {
    const random = seededRandom(17);
    const incremental = createIncrementalCompiler(pipeline);
    let resources = randomInput(random, false);
    let kept = 0;
    for (let step = 0; step < 80; step++) {
      // One resource edited, added or removed (the others the same objects), now and then a new input.
      const next = randomInput(random, random() < 0.5);
      const stepped = randomInputStep(random, resources, next);
      resources = stepped.next;
      if (stepped.edited) kept++;
      expect(bytes(resources, fullPipeline), `step ${step}`).toBe(
        JSON.stringify(
          (({ xds, diagnostics }) => ({ xds, diagnostics }))(incremental.compile(resources, {})),
        ),
      );
    }
    expect(kept).toBeGreaterThan(60);
  });
});
