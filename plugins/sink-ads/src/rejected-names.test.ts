import { describe, expect, it } from 'vitest';
import { rejectedResourceNames } from './rejected-names.js';

describe('rejectedResourceNames', () => {
  it('prefers names the message mentions (Envoy style), whole words only', () => {
    expect(
      rejectedResourceNames("cluster 'api-v2': bad lb", ['api', 'api-v2', 'web'], ['api', 'api-v2', 'web']),
    ).toEqual(['api-v2']);
    expect(rejectedResourceNames('Cluster web.default: x', ['web'], ['web'])).toEqual(['web']);
    expect(rejectedResourceNames('webhook failed', ['web'], ['web'])).toEqual(['web']);
  });

  it('maps gRPC\'s "resource index N" to the resource at that position of the response', () => {
    const message =
      'xDS response validation errors: [resource index 1: Cluster message validation failed: [unsupported lb_policy: MAGLEV]]';
    expect(rejectedResourceNames(message, ['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual(['b']);
  });

  it('falls back to every candidate when nothing is pointed at', () => {
    expect(rejectedResourceNames('boom', ['y', 'x'], ['x', 'y', 'z'])).toEqual(['x', 'y']);
  });
});
