import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeApiError, KubeFakeStore, type StoredEvent, typeKeyOf } from './kube-fake-store.js';
import { applyMergePatch } from './kube-merge-patch.js';
import {
  apiVersionOf,
  builtinResourceTypes,
  type KubeObject,
  type KubeResourceType,
  resourceTypesOfCrd,
} from './kube-resource-types.js';
import { matchesSelector, parseSelector, selectableFields } from './kube-selectors.js';

export interface FakeKubeApiServerOptions {
  /** Require `Authorization: Bearer <token>` when set. */
  token?: string;
  /** How often a watch that asked for bookmarks gets one (ms). */
  bookmarkIntervalMs?: number;
  /** Events kept for watch resumption; older resourceVersions get 410 Gone. */
  historyLimit?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: unknown;
}

interface ResolvedPath {
  type: KubeResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * A fake Kubernetes API server over real HTTP on 127.0.0.1: discovery, list
 * with resourceVersion, chunked watch streams with bookmarks and 410 Gone,
 * the status subresource, optimistic concurrency, merge patches, label and
 * field selectors, and CRD registration. Tests drive it through `store`-like
 * helpers or any Kubernetes client (including kubectl).
 */
export class FakeKubeApiServer {
  readonly store: KubeFakeStore;
  readonly requests: RecordedRequest[] = [];
  #server: Server | undefined;
  #port = 0;
  #types = new Map<string, KubeResourceType>();
  #sockets = new Set<Socket>();
  #watches = new Set<ServerResponse>();
  readonly #options: FakeKubeApiServerOptions;

  constructor(options: FakeKubeApiServerOptions = {}) {
    this.#options = options;
    this.store = new KubeFakeStore(options.historyLimit);
    for (const t of builtinResourceTypes) this.#registerType(t);
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Open watch streams right now (for tests waiting on a reconnect). */
  get openWatches(): number {
    return this.#watches.size;
  }

  async start(port = this.#port): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.#sendStatus(res, 500, 'InternalError', String(err));
        else res.destroy();
      });
    });
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** Stop listening and cut every connection (as a crashed API server would). State is kept for `start()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#watches.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Abort every open watch connection mid-stream: clients see "Premature close". */
  dropWatches(): void {
    for (const res of this.#watches) res.socket?.destroy();
    this.#watches.clear();
  }

  /** End every open watch cleanly, as the server's watch timeout does. */
  endWatches(): void {
    for (const res of this.#watches) res.end();
    this.#watches.clear();
  }

  /** A kubeconfig (YAML) pointing at this server. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      // client-node refuses plain http unless TLS verification is explicitly off.
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      `    token: ${this.#options.token ?? 'fake-token'}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      'current-context: fake',
      '',
    ].join('\n');
  }

  // ---- direct object helpers for tests (same code path as HTTP writes) ----

  create(obj: KubeObject): KubeObject {
    const type = this.#typeOfObject(obj);
    const created = this.store.create(typeKeyOf(type), this.#normalize(obj, type));
    this.#afterWrite(type, created, 'ADDED');
    return this.#present(created, type);
  }

  /** Create, or replace the whole object (status included) when it exists. */
  apply(obj: KubeObject): KubeObject {
    const type = this.#typeOfObject(obj);
    const current = this.store.get(typeKeyOf(type), obj.metadata.namespace, obj.metadata.name ?? '');
    if (!current) return this.create(obj);
    const updated = this.store.update(typeKeyOf(type), this.#normalize(obj, type), {});
    this.#afterWrite(type, updated, 'MODIFIED');
    return this.#present(updated, type);
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.#typeOfObject({ apiVersion, kind });
    const obj = this.store.get(typeKeyOf(type), namespace, name);
    return obj ? this.#present(obj, type) : undefined;
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const type = this.#typeOfObject({ apiVersion, kind });
    const gone = this.store.delete(typeKeyOf(type), namespace, name);
    this.#afterWrite(type, gone, 'DELETED');
  }

  // ---- HTTP ----

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    const bodyText = await readBody(req);
    let body: unknown;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        this.#sendStatus(res, 400, 'BadRequest', 'request body is not JSON');
        return;
      }
    }
    const contentType = req.headers['content-type'];
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    if (this.#options.token && req.headers.authorization !== `Bearer ${this.#options.token}`) {
      this.#sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    const path = url.pathname.replace(/\/+$/, '');
    const discovery = this.#discovery(path);
    if (discovery !== undefined) {
      sendJson(res, 200, discovery);
      return;
    }
    const resolved = this.#resolve(path);
    if (!resolved) {
      this.#sendStatus(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
      return;
    }
    try {
      await this.#serveResource(req.method ?? 'GET', resolved, query, body, contentType, res);
    } catch (err) {
      if (err instanceof KubeApiError) this.#sendStatus(res, err.code, err.reason, err.message);
      else throw err;
    }
  }

  async #serveResource(
    method: string,
    { type, namespace, name, subresource }: ResolvedPath,
    query: Record<string, string>,
    body: unknown,
    contentType: string | undefined,
    res: ServerResponse,
  ): Promise<void> {
    const typeKey = typeKeyOf(type);
    if (subresource !== undefined && (subresource !== 'status' || !type.statusSubresource)) {
      throw new KubeApiError(
        404,
        'NotFound',
        `the server could not find the requested resource (subresource ${subresource})`,
      );
    }
    if (name === undefined) {
      if (method === 'GET' && (query.watch === '1' || query.watch === 'true')) {
        this.#watch(type, namespace, query, res);
        return;
      }
      if (method === 'GET') {
        sendJson(res, 200, this.#list(type, namespace, query));
        return;
      }
      if (method === 'POST') {
        const obj = this.#bodyObject(body, type, namespace);
        const created = this.store.create(typeKey, this.#normalize(obj, type));
        this.#afterWrite(type, created, 'ADDED');
        sendJson(res, 201, this.#present(created, type));
        return;
      }
      throw new KubeApiError(405, 'MethodNotAllowed', `${method} is not supported on a collection`);
    }
    if (method === 'GET') {
      const obj = this.store.get(typeKey, namespace, name);
      if (!obj)
        throw new KubeApiError(
          404,
          'NotFound',
          `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`,
        );
      sendJson(res, 200, this.#present(obj, type));
      return;
    }
    if (method === 'DELETE') {
      const gone = this.store.delete(typeKey, namespace, name);
      this.#afterWrite(type, gone, 'DELETED');
      sendJson(res, 200, this.#present(gone, type));
      return;
    }
    if (method === 'PUT' || method === 'PATCH') {
      let next: KubeObject;
      if (method === 'PUT') {
        next = this.#bodyObject(body, type, namespace);
        if (next.metadata.name !== name)
          throw new KubeApiError(
            400,
            'BadRequest',
            'the name of the object does not match the name on the URL',
          );
      } else {
        const current = this.store.get(typeKey, namespace, name);
        if (!current) throw new KubeApiError(404, 'NotFound', `${type.plural} "${name}" not found`);
        if (contentType?.startsWith('application/json-patch+json')) {
          throw new KubeApiError(
            415,
            'UnsupportedMediaType',
            'the fake API server supports merge patches only',
          );
        }
        next = applyMergePatch(current, body) as KubeObject;
      }
      const onlyStatus = subresource === 'status';
      const updated = this.store.update(typeKey, this.#normalize(next, type), {
        ...(method === 'PUT' && next.metadata.resourceVersion
          ? { expectedVersion: next.metadata.resourceVersion }
          : {}),
        keepStatus: type.statusSubresource && !onlyStatus,
        onlyStatus,
      });
      this.#afterWrite(type, updated, 'MODIFIED');
      sendJson(res, 200, this.#present(updated, type));
      return;
    }
    throw new KubeApiError(405, 'MethodNotAllowed', `${method} is not supported`);
  }

  #list(type: KubeResourceType, namespace: string | undefined, query: Record<string, string>): unknown {
    const rv = query.resourceVersion;
    if (
      rv &&
      rv !== '0' &&
      Number(rv) < this.store.oldestResumable &&
      query.resourceVersionMatch === 'Exact'
    ) {
      throw new KubeApiError(410, 'Expired', 'too old resource version');
    }
    const items = this.store
      .list(typeKeyOf(type), namespace)
      .filter((o) => this.#selected(o, query))
      .map((o) => this.#present(o, type));
    return {
      apiVersion: apiVersionOf(type),
      kind: `${type.kind}List`,
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    };
  }

  #watch(
    type: KubeResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
    res: ServerResponse,
  ): void {
    res.writeHead(200, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const typeKey = typeKeyOf(type);
    const send = (type2: string, object: unknown) => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type: type2, object })}\n`);
    };
    const matches = (e: StoredEvent) =>
      e.typeKey === typeKey &&
      (namespace === undefined || e.object.metadata.namespace === namespace) &&
      this.#selected(e.object, query);
    const rvText = query.resourceVersion ?? '';
    let pending: StoredEvent[];
    if (rvText === '' || rvText === '0') {
      pending = this.store.list(typeKey, namespace).map((object) => ({
        resourceVersion: Number(object.metadata.resourceVersion),
        typeKey,
        type: 'ADDED',
        object,
      }));
    } else {
      const since = this.store.eventsSince(typeKey, Number(rvText));
      if (since === undefined) {
        send('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rvText} (${this.store.oldestResumable})`,
          reason: 'Expired',
          code: 410,
        });
        res.end();
        return;
      }
      pending = since;
    }
    this.#watches.add(res);
    for (const e of pending.filter(matches)) send(e.type, this.#present(e.object, type));
    const unsubscribe = this.store.subscribe((e) => {
      if (matches(e)) send(e.type, this.#present(e.object, type));
    });
    const timers: NodeJS.Timeout[] = [];
    if (query.allowWatchBookmarks === 'true' || query.allowWatchBookmarks === '1') {
      const interval = setInterval(() => {
        send('BOOKMARK', {
          apiVersion: apiVersionOf(type),
          kind: type.kind,
          metadata: { resourceVersion: String(this.store.resourceVersion) },
        });
      }, this.#options.bookmarkIntervalMs ?? 1000);
      timers.push(interval);
    }
    const timeoutSeconds = Number(query.timeoutSeconds);
    if (timeoutSeconds > 0) timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000));
    const cleanup = () => {
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      this.#watches.delete(res);
    };
    res.on('close', cleanup);
    res.on('finish', cleanup);
  }

  #selected(obj: KubeObject, query: Record<string, string>): boolean {
    const labels = parseSelector(query.labelSelector);
    const fields = parseSelector(query.fieldSelector);
    return (
      matchesSelector(labels, obj.metadata.labels ?? {}) && matchesSelector(fields, selectableFields(obj))
    );
  }

  #bodyObject(body: unknown, type: KubeResourceType, namespace: string | undefined): KubeObject {
    if (typeof body !== 'object' || body === null || typeof (body as KubeObject).metadata !== 'object') {
      throw new KubeApiError(400, 'BadRequest', 'the request body must be an object with metadata');
    }
    const obj = structuredClone(body) as KubeObject;
    if (type.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw new KubeApiError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      const ns = namespace ?? obj.metadata.namespace;
      if (!ns) throw new KubeApiError(400, 'BadRequest', 'a namespaced object needs a namespace');
      obj.metadata.namespace = ns;
    }
    return obj;
  }

  /** Objects are stored under the type's kind, without a version (every served version reads them). */
  #normalize(obj: KubeObject, type: KubeResourceType): KubeObject {
    const out = structuredClone(obj);
    out.kind = type.kind;
    out.apiVersion = apiVersionOf(type);
    if (!type.namespaced) delete out.metadata.namespace;
    return out;
  }

  #present(obj: KubeObject, type: KubeResourceType): KubeObject {
    return { ...obj, apiVersion: apiVersionOf(type), kind: type.kind };
  }

  #afterWrite(type: KubeResourceType, obj: KubeObject, event: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    if (type.group !== 'apiextensions.k8s.io' || type.kind !== 'CustomResourceDefinition') return;
    for (const t of resourceTypesOfCrd(obj)) {
      if (event === 'DELETED') this.#types.delete(`${t.group}/${t.version}/${t.plural}`);
      else this.#registerType(t);
    }
    if (event === 'ADDED') {
      // The real API server reports a CRD Established once its names are accepted; the fake does it at once.
      const established = {
        ...obj,
        status: {
          conditions: [
            { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
            {
              type: 'Established',
              status: 'True',
              reason: 'InitialNamesAccepted',
              message: 'the initial names have been accepted',
            },
          ],
          acceptedNames: (obj.spec as { names?: unknown } | undefined)?.names,
        },
      };
      this.store.update(typeKeyOf(type), established, { onlyStatus: true });
    }
  }

  #registerType(t: KubeResourceType): void {
    this.#types.set(`${t.group}/${t.version}/${t.plural}`, t);
  }

  #typeOfObject(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): KubeResourceType {
    const apiVersion = obj.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    for (const t of this.#types.values()) {
      if (t.group === group && t.version === version && t.kind === obj.kind) return t;
    }
    throw new KubeApiError(
      404,
      'NotFound',
      `no kind "${obj.kind}" is registered for version "${apiVersion}"`,
    );
  }

  #resolve(path: string): ResolvedPath | undefined {
    const parts = path.split('/').filter((p) => p !== '');
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) {
      group = '';
      version = parts[1] ?? '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      group = parts[1] ?? '';
      version = parts[2] ?? '';
      rest = parts.slice(3);
    } else {
      return undefined;
    }
    const typeOf = (plural: string | undefined) =>
      plural ? this.#types.get(`${group}/${version}/${plural}`) : undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const namespaced = typeOf(rest[2]);
      if (namespaced?.namespaced) {
        return withOptional({ type: namespaced, namespace: rest[1] }, rest[3], rest[4]);
      }
    }
    const type = typeOf(rest[0]);
    if (!type) return undefined;
    return withOptional({ type }, rest[1], rest[2]);
  }

  #discovery(path: string): unknown {
    const types = [...this.#types.values()];
    if (path === '/version') {
      return { major: '1', minor: '36', gitVersion: 'v1.36.0-fake', platform: 'linux/amd64' };
    }
    if (path === '/api') {
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.#port}` }],
      };
    }
    if (path === '/apis') {
      const groups = new Map<string, Set<string>>();
      for (const t of types) {
        if (!t.group) continue;
        const set = groups.get(t.group) ?? new Set<string>();
        set.add(t.version);
        groups.set(t.group, set);
      }
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([name, versions]) => groupInfo(name, [...versions])),
      };
    }
    const groupMatch = /^\/apis\/([^/]+)$/.exec(path);
    if (groupMatch) {
      const name = groupMatch[1] ?? '';
      const versions = [...new Set(types.filter((t) => t.group === name).map((t) => t.version))];
      return versions.length
        ? { kind: 'APIGroup', apiVersion: 'v1', ...groupInfo(name, versions) }
        : undefined;
    }
    const gv = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
    if (gv) {
      const groupVersion = gv[1] ?? '';
      const matching = types.filter((t) => apiVersionOf(t) === groupVersion);
      if (!matching.length) return undefined;
      const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion,
        resources: matching.flatMap((t) => [
          {
            name: t.plural,
            singularName: t.singular,
            namespaced: t.namespaced,
            kind: t.kind,
            verbs,
            ...(t.shortNames ? { shortNames: t.shortNames } : {}),
          },
          ...(t.statusSubresource
            ? [
                {
                  name: `${t.plural}/status`,
                  singularName: '',
                  namespaced: t.namespaced,
                  kind: t.kind,
                  verbs: ['get', 'patch', 'update'],
                },
              ]
            : []),
        ]),
      };
    }
    return undefined;
  }

  #sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
    sendJson(res, code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      code,
    });
  }
}

function withOptional(
  base: ResolvedPath,
  name: string | undefined,
  subresource: string | undefined,
): ResolvedPath {
  return {
    ...base,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

function groupInfo(name: string, versions: string[]) {
  const sorted = [...versions].sort(compareKubeVersions);
  const preferred = sorted[0] ?? '';
  return {
    name,
    versions: sorted.map((version) => ({ groupVersion: `${name}/${version}`, version })),
    preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
  };
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stability = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stability, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) {
    const d = (ra[i] ?? 0) - (rb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Start a fake API server on 127.0.0.1:0. */
export async function startFakeKubeApiServer(
  options: FakeKubeApiServerOptions = {},
): Promise<FakeKubeApiServer> {
  const server = new FakeKubeApiServer(options);
  await server.start();
  return server;
}
