import { TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { compileIR, readIR } from '../testing/golden.js';

/** IR values lowering passes through as they are (health checks, outlier detection). */
const passedThrough = new Set(['health_checks', 'outlier_detection']);

/** Paths of the objects under `value` whose keys are not in code-unit order. */
function outOfOrder(value: unknown, path: string, out: string[]): string[] {
  if (value === null || typeof value !== 'object') return out;
  if (passedThrough.has(path.slice(path.lastIndexOf('/') + 1))) return out;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) outOfOrder(value[i], `${path}/${i}`, out);
    return out;
  }
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      out.push(`${path} {${keys.join(',')}}`);
      break;
    }
  }
  for (const key of keys) outOfOrder((value as Record<string, unknown>)[key], `${path}/${key}`, out);
  return out;
}

// The CLI prints canonical JSON (sorted keys) and copies every object whose keys are not in
// order: lowering makes the many objects (clusters, routes) in that order already.
describe('key order of lowered objects', () => {
  it('clusters, endpoints and route configurations come out of lowering with sorted keys', () => {
    const ir = readIR('full-ir.in.yaml');
    const result = compileIR(ir);
    const found: string[] = [];
    const clusters = result.xds[TypeUrl.Cluster];
    // (A plugin's extra fields come after lowering's own.)
    const plain = clusters.filter((c) => ir.clusters[c.name]?.extra === undefined);
    expect(plain.length).toBeGreaterThan(3);
    for (const cluster of plain) outOfOrder(cluster.resource, cluster.name, found);
    for (const cla of result.xds[TypeUrl.ClusterLoadAssignment]) outOfOrder(cla.resource, cla.name, found);
    for (const config of result.xds[TypeUrl.RouteConfiguration])
      outOfOrder(config.resource, config.name, found);
    expect(found).toEqual([]);
  });
});
