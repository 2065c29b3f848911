import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeKubeApiServer, startFakeKubeApiServer } from './kube-fake-apiserver.js';

/** Reads newline-delimited watch events from a streaming response until `count` arrive. */
async function readEvents(res: Response, count: number): Promise<Array<{ type: string; object: Json }>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ type: string; object: Json }> = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  }
  await reader.cancel();
  return events;
}

// biome-ignore lint/suspicious/noExplicitAny: API responses are checked by the assertions, not the types.
type Json = any;
const json = async (res: Response): Promise<Json> => res.json();

const svc = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels },
  spec: { ports: [{ port: 80 }] },
});

describe('FakeKubeApiServer', () => {
  let server: FakeKubeApiServer;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: 'Bearer t', ...(init.headers ?? {}) },
    });

  beforeEach(async () => {
    server = await startFakeKubeApiServer({ token: 't', bookmarkIntervalMs: 50, historyLimit: 100 });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('rejects requests without the token', async () => {
    const res = await fetch(`${server.url}/api/v1/services`);
    expect(res.status).toBe(401);
  });

  it('serves discovery for core, groups and group versions', async () => {
    expect((await json(await call('/api'))).versions).toEqual(['v1']);
    const groups = (await json(await call('/apis'))).groups.map((g: Json) => g.name);
    expect(groups).toContain('networking.k8s.io');
    expect(groups).toContain('coordination.k8s.io');
    const core = await json(await call('/api/v1'));
    expect(core.resources.map((r: Json) => r.name)).toContain('services/status');
  });

  it('creates, lists with selectors, updates with conflicts, and deletes', async () => {
    const created = await call('/api/v1/namespaces/default/services', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(svc('a', { app: 'x' })),
    });
    expect(created.status).toBe(201);
    const a = await json(created);
    server.create(svc('b', { app: 'y' }));
    const list = await json(await call('/api/v1/services?labelSelector=app%3Dx'));
    expect(list.items.map((i: Json) => i.metadata.name)).toEqual(['a']);
    const byField = await json(
      await call('/api/v1/namespaces/default/services?fieldSelector=metadata.name%3Db'),
    );
    expect(byField.items.map((i: Json) => i.metadata.name)).toEqual(['b']);

    const stale = { ...a, spec: { ports: [{ port: 81 }] } };
    const ok = await call('/api/v1/namespaces/default/services/a', {
      method: 'PUT',
      body: JSON.stringify(stale),
    });
    expect(ok.status).toBe(200);
    const conflict = await call('/api/v1/namespaces/default/services/a', {
      method: 'PUT',
      body: JSON.stringify(stale),
    });
    expect(conflict.status).toBe(409);

    expect((await call('/api/v1/namespaces/default/services/a', { method: 'DELETE' })).status).toBe(200);
    expect((await call('/api/v1/namespaces/default/services/a')).status).toBe(404);
  });

  it('keeps status and spec apart through the status subresource', async () => {
    server.create(svc('a'));
    await call('/api/v1/namespaces/default/services/a/status', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
        spec: { ports: [] },
      }),
    });
    const after = server.get('v1', 'Service', 'default', 'a')!;
    expect(after.status).toEqual({ loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
    expect(after.spec).toEqual({ ports: [{ port: 80 }] });
    await call('/api/v1/namespaces/default/services/a', {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: null, metadata: { labels: { x: 'y' } } }),
    });
    const again = server.get('v1', 'Service', 'default', 'a')!;
    expect(again.status).toEqual({ loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
    expect(again.metadata.labels).toEqual({ x: 'y' });
  });

  it('streams watch events from a resourceVersion, with bookmarks', async () => {
    server.create(svc('a'));
    const list = await json(await call('/api/v1/services'));
    const res = await call(
      `/api/v1/services?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`,
    );
    server.create(svc('b'));
    server.delete('v1', 'Service', 'default', 'a');
    const events = await readEvents(res, 3);
    const real = events.filter((e) => e.type !== 'BOOKMARK');
    expect(real.slice(0, 2).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'b'],
      ['DELETED', 'a'],
    ]);
    const more = await readEvents(
      await call(
        `/api/v1/services?watch=1&allowWatchBookmarks=true&resourceVersion=${server.store.resourceVersion}`,
      ),
      1,
    );
    expect(more[0]?.type).toBe('BOOKMARK');
  });

  it('answers a watch from a compacted resourceVersion with 410 Expired', async () => {
    server.create(svc('a'));
    const rv = server.store.resourceVersion;
    server.create(svc('b'));
    server.store.compact();
    const events = await readEvents(await call(`/api/v1/services?watch=true&resourceVersion=${rv}`), 1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('registers the resources of a CRD and serves them', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object' } },
          },
        ],
      },
    };
    expect((await call('/apis/example.com/v1/namespaces/default/widgets')).status).toBe(404);
    const res = await call('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      method: 'POST',
      body: JSON.stringify(crd),
    });
    expect(res.status).toBe(201);
    const established = server.get(
      'apiextensions.k8s.io/v1',
      'CustomResourceDefinition',
      undefined,
      'widgets.example.com',
    )!;
    expect(JSON.stringify(established.status)).toContain('Established');
    server.create({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'default' },
      spec: { size: 1 },
    });
    const list = await json(await call('/apis/example.com/v1/namespaces/default/widgets'));
    expect(list.items[0]).toMatchObject({ apiVersion: 'example.com/v1', kind: 'Widget', spec: { size: 1 } });
  });

  it('cuts watch connections on dropWatches and comes back after a restart', async () => {
    const res = await call('/api/v1/services?watch=1');
    expect(server.openWatches).toBe(1);
    server.dropWatches();
    await expect(res.text()).rejects.toThrow();
    server.create(svc('kept'));
    const port = server.port;
    await server.stop();
    await expect(call('/api/v1/services')).rejects.toThrow();
    await server.start(port);
    const list = await json(await call('/api/v1/services'));
    expect(list.items.map((i: Json) => i.metadata.name)).toEqual(['kept']);
  });
});
