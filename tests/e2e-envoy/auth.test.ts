import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  type AuthCheck,
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePort,
  freePorts,
  GrpcAuthServer,
  HttpAuthServer,
  host,
  listener,
  mapping,
  type Obj,
  request,
  resourceDir,
  startEdge,
  writeResources,
} from './edge.js';
import { echoed, expectNoRejectedUpdates, waitForListeners } from './feature-traffic.js';

/**
 * External authorisation on a real Envoy with real peers: Attaché (`attache
 * serve`) configures Envoy's ext_authz from AuthServices; Envoy asks a real gRPC
 * authorisation server (envoy.service.auth.v3.Authorization, grpc-js with
 * Envoy's own messages) and a real HTTP one. Checked from the client's side and
 * from what each auth server and the upstream saw.
 */
const skip = edgeSkipReason('e2e-envoy auth');
if (skip) console.warn(skip);

const hostname = 'auth.example.com';
const partners = 'partners.example.com';

const authService = (name: string, spec: Obj): Obj => ({
  apiVersion: 'getambassador.io/v3alpha1',
  kind: 'AuthService',
  metadata: { name, namespace: 'default' },
  spec,
});

/** gRPC policy: allow with x-allow: yes (adding x-auth-user upstream), else 401 with a body and a challenge. */
const grpcPolicy = (check: AuthCheck) =>
  check.headers['x-allow'] === 'yes'
    ? { allow: true as const, headers: { 'x-auth-user': 'grpc-alice' } }
    : {
        allow: false as const,
        status: 401,
        body: 'denied by the grpc auth server',
        headers: { 'www-authenticate': 'Bearer realm="grpc"', 'x-denied-by': 'grpc' },
      };

/** HTTP policy: allow with x-allow: yes (x-auth-user and x-not-allowed in the answer), else 403 with a body. */
const httpPolicy = (check: AuthCheck) =>
  check.headers['x-allow'] === 'yes'
    ? { allow: true as const, headers: { 'x-auth-user': 'http-bob', 'x-not-allowed': 'leak' } }
    : {
        allow: false as const,
        status: 403,
        body: 'denied by the http auth server',
        headers: { 'x-auth-reason': 'nope' },
      };

describe.skipIf(skip !== undefined)('e2e-envoy: AuthService with real gRPC and HTTP auth servers', () => {
  let edge: Edge;
  let port: number;
  let api: EchoServer;
  let grpcAuth: GrpcAuthServer;
  let httpAuth: HttpAuthServer;
  const resources = resourceDir();

  beforeAll(async () => {
    api = await EchoServer.start({ name: 'api' });
    grpcAuth = await GrpcAuthServer.start(grpcPolicy);
    httpAuth = await HttpAuthServer.start(httpPolicy);
    // Ports nothing listens on: an auth service that is down.
    const [closedA, closedB] = await freePorts(2);
    port = await freePort();
    writeResources(resources.dir, 'auth.yaml', [
      listener('http', port),
      host('edge', { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
      // Beyond Emissary: this Host's requests go to the HTTP auth server instead of the global one.
      host('partners', {
        hostname: partners,
        auth_service: 'http-auth',
        requestPolicy: { insecure: { action: 'Route' } },
      }),
      authService('grpc-auth', {
        auth_service: grpcAuth.address,
        proto: 'grpc',
        protocol_version: 'v3',
        timeout_ms: 2000,
        include_body: { max_bytes: 16, allow_partial: true },
      }),
      authService('http-auth', {
        auth_service: httpAuth.address,
        proto: 'http',
        path_prefix: '/check',
        timeout_ms: 2000,
        allowed_request_headers: ['x-allow', 'x-tenant'],
        allowed_authorization_headers: ['x-auth-user', 'x-auth-reason'],
        add_auth_headers: { 'x-from-edge': 'attache' },
        include_body: { max_bytes: 8, allow_partial: false },
        scope: 'named',
      }),
      authService('down-closed', {
        auth_service: `127.0.0.1:${closedA}`,
        proto: 'grpc',
        protocol_version: 'v3',
        timeout_ms: 500,
        status_on_error: { code: 503 },
        scope: 'named',
      }),
      authService('down-open', {
        auth_service: `127.0.0.1:${closedB}`,
        proto: 'http',
        timeout_ms: 500,
        failure_mode_allow: true,
        scope: 'named',
      }),
      mapping('api', { hostname, prefix: '/api/', service: api.address }),
      mapping('public', { hostname, prefix: '/public/', service: api.address, bypass_auth: true }),
      mapping('ctx', {
        hostname,
        prefix: '/ctx/',
        service: api.address,
        auth_context_extensions: { tier: 'gold', service: 'billing' },
      }),
      mapping('down-closed', {
        hostname,
        prefix: '/down/',
        service: api.address,
        auth_service: 'down-closed',
      }),
      mapping('down-open', { hostname, prefix: '/open/', service: api.address, auth_service: 'down-open' }),
      mapping('partner-api', { hostname: partners, prefix: '/p/', service: api.address }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'auth' });
    await waitForListeners(edge.envoy, 1);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await grpcAuth?.close();
    await httpAuth?.close();
    await api?.close();
    resources.remove();
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  const showLogs = () => onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));
  const get = (path: string, headers: Record<string, string> = {}, on = hostname, body?: string) =>
    request(port, path, { host: on, headers, ...(body ? { body, method: 'POST' } : {}) });

  it('Attaché reports no error', async () => {
    showLogs();
    expect(await edge.attache.diagnostics()).not.toContainEqual(
      expect.objectContaining({ severity: 'error' }),
    );
  });

  it('gRPC: allowed requests reach the upstream with the header the auth server added', async () => {
    showLogs();
    grpcAuth.take();
    api.take();
    const answer = await get('/api/x', { 'x-allow': 'yes' });
    expect(answer.status).toBe(200);
    expect(echoed(answer).headers['x-auth-user']).toBe('grpc-alice');
    const checks = grpcAuth.take();
    expect(checks.map((c) => [c.method, c.path])).toEqual([['GET', '/api/x']]);
  });

  it("gRPC: denied requests get the auth server's status, body and headers; the upstream never sees them", async () => {
    showLogs();
    api.take();
    const answer = await get('/api/secret');
    expect(answer.status).toBe(401);
    expect(answer.body).toBe('denied by the grpc auth server');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="grpc"');
    expect(answer.headers['x-denied-by']).toBe('grpc');
    expect(api.take()).toEqual([]);
  });

  it('gRPC: the body goes to the auth server up to max_bytes (allow_partial)', async () => {
    showLogs();
    grpcAuth.take();
    const answer = await get('/api/upload', { 'x-allow': 'yes' }, hostname, '0123456789abcdefGHIJKLMNOP');
    expect(answer.status).toBe(200);
    const [check] = grpcAuth.take();
    expect(check?.body).toBe('0123456789abcdef');
    // The upstream still gets the whole body.
    expect(echoed(answer).body).toBe('0123456789abcdefGHIJKLMNOP');
  });

  it('bypass_auth routes never reach the auth server; probe routes neither', async () => {
    showLogs();
    grpcAuth.take();
    httpAuth.take();
    expect((await get('/public/page')).status).toBe(200);
    expect((await get('/ambassador/v0/check_ready')).status).toBe(200);
    expect((await get('/ambassador/v0/check_alive', {}, partners)).status).toBe(200);
    expect(grpcAuth.take()).toEqual([]);
    expect(httpAuth.take()).toEqual([]);
  });

  it('auth_context_extensions arrive at the gRPC auth server (and only for that Mapping)', async () => {
    showLogs();
    grpcAuth.take();
    expect((await get('/ctx/x', { 'x-allow': 'yes' })).status).toBe(200);
    expect((await get('/api/x', { 'x-allow': 'yes' })).status).toBe(200);
    const [ctx, plain] = grpcAuth.take();
    expect(ctx?.contextExtensions).toEqual({ tier: 'gold', service: 'billing' });
    expect(plain?.contextExtensions).toEqual({});
  });

  it('HTTP (per Host): path_prefix, allowed_request_headers and add_auth_headers reach the auth server; only allowed headers go upstream', async () => {
    showLogs();
    grpcAuth.take();
    httpAuth.take();
    const answer = await get(
      '/p/orders?id=1',
      {
        'x-allow': 'yes',
        'x-tenant': 'acme',
        'x-secret': 'not-for-auth',
        authorization: 'Bearer t',
      },
      partners,
    );
    expect(answer.status).toBe(200);
    const [check] = httpAuth.take();
    expect(check?.path).toBe('/check/p/orders?id=1');
    expect(check?.headers['x-tenant']).toBe('acme');
    expect(check?.headers['x-from-edge']).toBe('attache');
    expect(check?.headers.authorization).toBe('Bearer t');
    expect(check?.headers['x-secret']).toBeUndefined();
    const upstream = echoed(answer).headers;
    expect(upstream['x-auth-user']).toBe('http-bob');
    expect(upstream['x-not-allowed']).toBeUndefined();
    // The global (gRPC) AuthService is off on this Host.
    expect(grpcAuth.take()).toEqual([]);
  });

  it('HTTP: denied with status and body passed through, allowed_authorization_headers to the client', async () => {
    showLogs();
    api.take();
    const answer = await get('/p/x', {}, partners);
    expect(answer.status).toBe(403);
    expect(answer.body).toBe('denied by the http auth server');
    expect(answer.headers['x-auth-reason']).toBe('nope');
    expect(api.take()).toEqual([]);
  });

  it('HTTP: a body over max_bytes without allow_partial is refused with 413 before the auth server', async () => {
    showLogs();
    httpAuth.take();
    expect((await get('/p/x', { 'x-allow': 'yes' }, partners, '12345678')).status).toBe(200);
    expect(httpAuth.take()[0]?.body).toBe('12345678');
    expect((await get('/p/x', { 'x-allow': 'yes' }, partners, '123456789')).status).toBe(413);
    expect(httpAuth.take()).toEqual([]);
  });

  it('auth server down: status_on_error (503), or failure_mode_allow lets the request through', async () => {
    showLogs();
    api.take();
    expect((await get('/down/x', { 'x-allow': 'yes' })).status).toBe(503);
    expect(api.take()).toEqual([]);
    const open = await get('/open/x');
    expect(open.status).toBe(200);
    expect(echoed(open).path).toBe('/x');
  });
});

describe.skipIf(skip !== undefined)('e2e-envoy: auth denials and error_response_overrides', () => {
  let edge: Edge;
  let port: number;
  let api: EchoServer;
  let grpcAuth: GrpcAuthServer;
  const resources = resourceDir();

  beforeAll(async () => {
    api = await EchoServer.start({ name: 'api' });
    grpcAuth = await GrpcAuthServer.start(() => ({
      allow: false,
      status: 401,
      body: 'the auth server says no',
    }));
    port = await freePort();
    writeResources(resources.dir, 'auth-overrides.yaml', [
      listener('http', port),
      host('edge', { hostname, requestPolicy: { insecure: { action: 'Route' } } }),
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Module',
        metadata: { name: 'ambassador', namespace: 'default' },
        spec: {
          config: {
            error_response_overrides: [{ on_status_code: 401, body: { text_format: 'please sign in' } }],
          },
        },
      },
      authService('grpc-auth', { auth_service: grpcAuth.address, proto: 'grpc', protocol_version: 'v3' }),
      mapping('api', { hostname, prefix: '/api/', service: api.address }),
      mapping('raw', {
        hostname,
        prefix: '/raw/',
        service: api.address,
        bypass_error_response_overrides: true,
      }),
      // Names an AuthService that does not exist: refused, never let through.
      mapping('lost', { hostname, prefix: '/lost/', service: api.address, auth_service: 'nobody' }),
    ]);
    edge = await startEdge({ resources: resources.dir, name: 'auth-overrides' });
    await waitForListeners(edge.envoy, 1);
  }, 60_000);
  afterAll(async () => {
    await edge?.stop();
    await grpcAuth?.close();
    await api?.close();
    resources.remove();
  });
  afterEach(async () => {
    await expectNoRejectedUpdates(edge.envoy);
  });

  it("the Module's override rewrites a denial; bypass_error_response_overrides keeps the auth server's body", async () => {
    onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));
    const rewritten = await request(port, '/api/x', { host: hostname });
    expect([rewritten.status, rewritten.body]).toEqual([401, 'please sign in']);
    const raw = await request(port, '/raw/x', { host: hostname });
    expect([raw.status, raw.body]).toEqual([401, 'the auth server says no']);
    expect(api.take()).toEqual([]);
  });

  it('a Mapping naming an AuthService that does not exist is refused with 403 (AUTH_SERVICE_UNKNOWN), never let through', async () => {
    onTestFailed(() => console.error(edge.envoy.tail(60), edge.attache.tail(30)));
    api.take();
    const lost = await request(port, '/lost/x', { host: hostname });
    expect(lost.status).toBe(403);
    expect(api.take()).toEqual([]);
    expect((await edge.attache.diagnostics()).map((d) => d.code)).toContain('AUTH_SERVICE_UNKNOWN');
  });
});
