import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TypeUrl } from '@attache/core';
import { XdsTestClient } from '@attache/testkit';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from './cli.js';
import type { Serving } from './commands/serve.js';

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The whole loop over real sockets: files → serve → ADS stream → an xDS
 * client; a file change reaches the client; a NACK comes back as a
 * diagnostic on the Mapping behind the refused cluster.
 */
describe('attache serve over ADS (end to end)', () => {
  it('streams the compiled files, follows a change, and maps a NACK onto the Mapping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attache-ads-'));
    cpSync(join(repoRoot, 'examples/quickstart'), join(dir, 'resources'), { recursive: true });
    const port = await freePort();
    writeFileSync(
      join(dir, 'attache.yaml'),
      [
        'sources:',
        '  file: { paths: [resources], debounceMs: 20 }',
        'sinks:',
        `  ads: { address: "127.0.0.1:${port}" }`,
        'admin: { host: 127.0.0.1, port: 0 }',
        'debounce: { quietMs: 20, maxMs: 200 }',
        'log: { level: silent }',
        '',
      ].join('\n'),
    );
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => {
      stop = r;
    });
    let serving: Serving | undefined;
    const exit = runCli(['serve', '--config', 'attache.yaml'], {
      stdout: () => {},
      stderr: () => {},
      cwd: dir,
      stopSignal,
      onServing: (s) => {
        serving = s;
      },
    });
    await vi.waitFor(() => expect(serving?.runtime.snapshot()).toBeDefined(), {
      timeout: 20000,
      interval: 50,
    });

    const client = new XdsTestClient({
      address: `127.0.0.1:${port}`,
      node: { id: 'e2e', cluster: 'attache' },
    });
    const stream = client.sotw('ads');
    try {
      stream.subscribe(TypeUrl.Cluster, []);
      const first = await stream.next(TypeUrl.Cluster);
      const names = first.resources.map((r) => r.name);
      expect(names.length).toBe(5);
      expect(names.some((n) => n.includes('quote'))).toBe(true);
      stream.ack(first);

      // The admin API shows the connected Envoy (from the ADS sink) and the snapshot (from the runtime).
      const admin = serving!.admin!.url;
      const streams = (await (await fetch(`${admin}/api/streams`)).json()) as {
        count: number;
        streams: unknown[];
      };
      expect(streams.count).toBe(1);
      expect(JSON.stringify(streams.streams)).toContain('e2e');
      expect(((await (await fetch(`${admin}/metrics`)).text()).match(/^attache_xds_\w+/m) ?? []).length).toBe(
        1,
      );

      writeFileSync(
        join(dir, 'resources', '40-inventory.yaml'),
        [
          'apiVersion: getambassador.io/v3alpha1',
          'kind: Mapping',
          'metadata: { name: inventory, namespace: default }',
          'spec: { hostname: "*", prefix: /inventory/, service: "inventory:9000" }',
          '',
        ].join('\n'),
      );
      const second = await stream.next(TypeUrl.Cluster);
      const inventory = second.resources.map((r) => r.name).find((n) => n.includes('inventory'));
      expect(inventory).toBeDefined();
      expect(second.resources.length).toBe(6);

      stream.nack(second, `cluster ${inventory}: connect_timeout is out of range`);
      await vi.waitFor(
        () =>
          expect(
            serving!.runtime
              .diagnostics()
              .filter((d) => d.code === 'ENVOY_REJECTED')
              .map((d) => [d.resource?.kind, d.resource?.name]),
          ).toEqual([['Mapping', 'inventory']]),
        { timeout: 10000, interval: 50 },
      );
      const api = (await (
        await fetch(`${serving!.admin!.url}/api/diagnostics?code=ENVOY_REJECTED`)
      ).json()) as {
        count: number;
      };
      expect(api.count).toBe(1);
    } finally {
      stream.close();
      client.close();
      stop();
    }
    expect(await exit).toBe(0);
  });
});
