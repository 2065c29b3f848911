import type { Snapshot } from '@attache/core';
import { afterEach, describe, expect, it } from 'vitest';
import { cluster, config, type Harness, listener, settle, startHarness, T } from './testdata/fixtures.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** `config` with a proxyless gRPC client's API listener and twin cluster, marked as sent only by name. */
function withByNameOnly(serial: number): Snapshot {
  const snapshot = config(
    serial,
    { a: 1, b: 2 },
    { extra: [cluster('grpc-proxyless/a'), listener('echo.grpc', 'r')] },
  );
  for (const typeUrl of [T.Cluster, T.Listener] as const)
    for (const r of snapshot.resources[typeUrl])
      if (r.name.startsWith('grpc-') || r.name === 'echo.grpc') r.byNameOnly = true;
  return snapshot;
}

const names = (r: { resources: { name: string }[] }) => r.resources.map((x) => x.name);

describe('resources sent only by name (XdsResource.byNameOnly)', () => {
  it('SotW: a wildcard subscription does not get them, a client naming them does', async () => {
    h = await startHarness();
    h.server.setSnapshot(withByNameOnly(1));
    const envoy = h.client('envoy').sotw('ads');
    envoy.subscribe(T.Cluster, []);
    envoy.subscribe(T.Listener, []);
    const cds = await envoy.next(T.Cluster);
    expect(names(cds)).toEqual(['a', 'b']);
    envoy.ack(cds); // listeners follow the clusters' ACK (make-before-break)
    expect(names(await envoy.next(T.Listener))).toEqual(['edge']);
    const grpc = h.client('grpc').sotw('ads');
    grpc.subscribe(T.Cluster, ['grpc-proxyless/a']);
    const twin = await grpc.next(T.Cluster);
    expect(names(twin)).toEqual(['grpc-proxyless/a']);
    grpc.ack(twin);
    grpc.subscribe(T.Listener, ['echo.grpc']);
    expect(names(await grpc.next(T.Listener))).toEqual(['echo.grpc']);
  });

  it("delta: a wildcard subscription does not get them unless it names them too ('*' plus a name)", async () => {
    h = await startHarness();
    h.server.setSnapshot(withByNameOnly(1));
    const envoy = h.client('envoy').delta('ads');
    envoy.subscribe(T.Cluster, ['*']);
    const first = await envoy.next(T.Cluster);
    expect(names(first)).toEqual(['a', 'b']);
    envoy.ack(first);
    await settle();
    const both = h.client('both').delta('ads');
    both.subscribe(T.Cluster, ['*', 'grpc-proxyless/a']);
    expect(names(await both.next(T.Cluster)).sort()).toEqual(['a', 'b', 'grpc-proxyless/a']);
  });
});
