import { type DerivedResource, type ResourceRef, type Snapshot, TypeUrl } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { FeedbackRouter } from './feedback-router.js';

const virtualHostType = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const ref = (kind: string, name: string): ResourceRef => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind,
  namespace: 'default',
  name,
});

function snapshot(tableVersion: string): Snapshot {
  return {
    group: 'default',
    serial: 1,
    version: tableVersion,
    resources: {
      [TypeUrl.RouteConfiguration]: [
        {
          typeUrl: TypeUrl.RouteConfiguration,
          name: 'rc',
          version: tableVersion,
          resource: {},
          provenance: [ref('Listener', 'edge'), ref('Host', 'a'), ref('Host', 'b')],
        },
      ],
    } as Snapshot['resources'],
    diagnostics: [],
  };
}

/** A VirtualHost as the sink derives it: its version in a snapshot is what `versions` says for that table version. */
function derived(versions: Record<string, string>): DerivedResource {
  return {
    provenance: [ref('Mapping', 'a-api'), ref('Host', 'a')],
    versionIn: (s) => versions[s.version],
  };
}

describe('FeedbackRouter: a rejected resource the sink derived (VHDS VirtualHost)', () => {
  it('lands on the derived provenance, not on the table the snapshot lists', () => {
    const current = snapshot('t1');
    const router = new FeedbackRouter(() => current);
    router.rejected({
      group: 'default',
      typeUrl: virtualHostType,
      resourceNames: ['rc/default%2Fa'],
      message: 'no such file',
      client: 'envoy-1',
      versions: { 'rc/default%2Fa': 'v1' },
      derived: { 'rc/default%2Fa': derived({ t1: 'v1' }) },
    });
    expect(router.diagnostics().map((d) => `${d.resource?.kind} ${d.resource?.name}`)).toEqual([
      'Host a',
      'Mapping a-api',
    ]);
    expect(router.diagnostics()[0]?.message).toContain('rejected VirtualHost rc/default%2Fa: no such file');
  });

  it('stays while the sink still derives the refused version, and ends when it derives another', () => {
    let current = snapshot('t1');
    const router = new FeedbackRouter(() => current);
    router.rejected({
      group: 'default',
      typeUrl: virtualHostType,
      resourceNames: ['rc/default%2Fa'],
      message: 'no such file',
      client: 'envoy-1',
      versions: { 'rc/default%2Fa': 'v1' },
      derived: { 'rc/default%2Fa': derived({ t1: 'v1', t2: 'v1', t3: 'v2' }) },
    });
    // The table changed elsewhere (another virtual host): the refused one is the same.
    current = snapshot('t2');
    expect(router.diagnostics()).toHaveLength(2);
    // The refused virtual host itself changed.
    current = snapshot('t3');
    expect(router.diagnostics()).toEqual([]);
  });

  it('without what the sink derived, the rejection is reported unattributed', () => {
    const router = new FeedbackRouter(() => snapshot('t1'));
    router.rejected({
      group: 'default',
      typeUrl: virtualHostType,
      resourceNames: ['rc/default%2Fa'],
      message: 'no such file',
      client: 'envoy-1',
    });
    expect(router.diagnostics().map((d) => d.resource)).toEqual([undefined]);
  });
});
