import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceWatcher } from './service-watcher.js';

/**
 * The blocking-query protocol against a scripted agent on 127.0.0.1: the index
 * sent back, the index reset when Consul's goes backwards, the floor of 1, the
 * resync (index 0) after a failure, and the token header.
 */
interface Seen {
  index: string | null;
  wait: string | null;
  token: string | undefined;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** Answers the n-th query with script[n] (an index and instances, or an HTTP status). */
async function scriptedAgent(
  script: Array<{ index: number; ips?: string[] } | { status: number }>,
): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({
      index: url.searchParams.get('index'),
      wait: url.searchParams.get('wait'),
      token: req.headers['x-consul-token'] as string | undefined,
    });
    const step = script[seen.length - 1];
    if (!step) return; // past the script: hold the query open, as a blocking query does
    if ('status' in step) {
      res.writeHead(step.status).end('rpc error: No path to datacenter');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': String(step.index) });
    res.end(
      JSON.stringify(
        (step.ips ?? []).map((ip, i) => ({
          Node: { Node: `n${i}`, Address: ip },
          Service: { ID: `s${i}`, Service: 'svc', Address: '', Port: 80 },
        })),
      ),
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { address: `127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

function watcherOn(address: string, events: { instances: string[][]; failures: number[] }) {
  return new ServiceWatcher(
    {
      key: 'consul/dc1/svc',
      datacenter: 'dc1',
      service: 'svc',
      address,
      resolver: { apiVersion: 'getambassador.io/v3alpha1', kind: 'ConsulResolver', name: 'c' },
    },
    () => ({ scheme: 'http', address, token: 'secret-token' }),
    { waitSeconds: 7, backoff: { initialMs: 10, maxMs: 20 } },
    {
      instances: (list) => events.instances.push(list.map((i) => i.address)),
      failure: (a) => events.failures.push(a.status ?? 0),
    },
  );
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ServiceWatcher (blocking queries)', () => {
  it('blocks on the index Consul returned, resets it when it goes backwards, and never sends 0 after an answer', async () => {
    const agent = await scriptedAgent([
      { index: 10, ips: ['10.0.0.1'] },
      { index: 12, ips: ['10.0.0.1', '10.0.0.2'] },
      { index: 5, ips: ['10.0.0.2'] }, // the index went backwards (a snapshot restore)
      { index: 0, ips: ['10.0.0.2'] }, // and then 0
      { index: 6, ips: ['10.0.0.2'] }, // nothing changed: no event
    ]);
    const events = { instances: [] as string[][], failures: [] as number[] };
    const watcher = watcherOn(agent.address, events);
    watcher.start();
    await until(() => agent.seen.length === 6);
    await watcher.stop();
    expect(agent.seen.map((s) => s.index)).toEqual([null, '10', '12', null, '1', '6']);
    expect(agent.seen[1]!.wait).toBe('7s');
    expect(agent.seen.every((s) => s.token === 'secret-token')).toBe(true);
    expect(events.instances).toEqual([['10.0.0.1'], ['10.0.0.1', '10.0.0.2'], ['10.0.0.2']]);
    expect(events.failures).toEqual([]);
  });

  it('after a failed query, backs off and starts over with a full read', async () => {
    const agent = await scriptedAgent([
      { index: 3, ips: ['10.0.0.1'] },
      { status: 500 },
      { index: 4, ips: ['10.0.0.1'] },
    ]);
    const events = { instances: [] as string[][], failures: [] as number[] };
    const watcher = watcherOn(agent.address, events);
    watcher.start();
    await until(() => agent.seen.length === 4);
    await watcher.stop();
    expect(agent.seen.map((s) => s.index)).toEqual([null, '3', null, '4']);
    expect(events.failures).toEqual([500]);
    // The same instances after the failure are announced again, so the failure's diagnostic can clear.
    expect(events.instances).toEqual([['10.0.0.1'], ['10.0.0.1']]);
  });
});
