import { contentHash, emptyXdsResources, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { snapshotVersion } from './snapshot-builder.js';

describe('snapshotVersion', () => {
  it('is the content hash of every resource type, name and version (the digest snapshots always had)', () => {
    const resources = emptyXdsResources();
    resources[TypeUrl.Cluster].push(
      { typeUrl: TypeUrl.Cluster, name: 'a "quoted" \\ name', version: 'v1', resource: {}, provenance: [] },
      { typeUrl: TypeUrl.Cluster, name: 'b', version: 'v2', resource: {}, provenance: [] },
    );
    resources[TypeUrl.Listener].push({
      typeUrl: TypeUrl.Listener,
      name: 'l',
      version: 'v3',
      resource: {},
      provenance: [],
    });
    const entries = [
      [TypeUrl.Cluster, 'a "quoted" \\ name', 'v1'],
      [TypeUrl.Cluster, 'b', 'v2'],
      [TypeUrl.Listener, 'l', 'v3'],
    ];
    expect(snapshotVersion(resources)).toBe(contentHash(entries));
    resources[TypeUrl.Cluster][1]!.version = 'v2b';
    expect(snapshotVersion(resources)).not.toBe(contentHash(entries));
  });
});
