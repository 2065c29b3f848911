import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';

const repoRoot = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const quickstart = join(repoRoot, 'examples/quickstart');

async function explain(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['explain', ...argv], {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

/** A Listener, a cleartext Host and two Mappings, one with a header match, in a temp dir. */
function ownConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attache-explain-'));
  writeFileSync(
    join(dir, 'all.yaml'),
    `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: { name: http, namespace: default }
spec: { port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: { namespace: { from: ALL } } }
---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: { name: shop, namespace: default }
spec: { hostname: shop.example.com, requestPolicy: { insecure: { action: Route } } }
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: { name: orders-v2, namespace: default }
spec: { hostname: shop.example.com, prefix: /orders/, service: orders-v2:8080, headers: { x-version: "2" } }
---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: { name: orders, namespace: default }
spec: { hostname: shop.example.com, prefix: /orders/, rewrite: /api/orders/, service: orders, timeout_ms: 2500 }
`,
  );
  return dir;
}

describe('attache explain', () => {
  it('names the route, the Mapping behind it and what Envoy does', async () => {
    const dir = ownConfig();
    const r = await explain(
      '-f',
      dir,
      'GET http://shop.example.com:8080/orders/7?x=1',
      '-H',
      'host: shop.example.com',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Listener +\S+ on 0\.0\.0\.0:8080/m);
    expect(r.stdout).toMatch(/^Virtual host .*matched exact shop\.example\.com/m);
    expect(r.stdout).toMatch(
      /skipped +route #\d+ .*\(Mapping default\/orders-v2\): header must match: x-version = '2'; x-version is absent/,
    );
    expect(r.stdout).toMatch(/^Route +route #\d+ .*\(Mapping default\/orders\)$/m);
    expect(r.stdout).toContain('STRICT_DNS orders:80');
    expect(r.stdout).toContain(
      'upstream request shop.example.com /api/orders/7?x=1 (rewritten: prefix /orders/ → /api/orders/)',
    );
    expect(r.stdout).toContain('timeout 2500ms');
  });

  it('follows -H headers into header matches', async () => {
    const dir = ownConfig();
    const r = await explain(
      '-f',
      dir,
      'GET',
      'http://shop.example.com:8080/orders/7',
      '-H',
      'host: shop.example.com',
      '-H',
      'x-version: 2',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Route +route #\d+ .*\(Mapping default\/orders-v2\)$/m);
    expect(r.stdout).toContain('STRICT_DNS orders-v2:8080');
  });

  it('says why nothing matches, and exits 1', async () => {
    const dir = ownConfig();
    const noHost = await explain('-f', dir, 'GET http://other.example.com:8080/orders/');
    expect(noHost.code).toBe(1);
    expect(noHost.stdout).toContain(
      'no virtual host for authority other.example.com:8080 (domains: shop.example.com)',
    );
    const noPort = await explain('-f', dir, 'GET http://shop.example.com:9000/');
    expect(noPort.stdout).toContain('no listener on port 9000 (listeners: 8080)');
  });

  it('explains the quickstart: TLS by SNI, the canary split and the HTTPS redirect', async () => {
    const tls = await explain(
      '-f',
      quickstart,
      'GET https://secure.example.com:8443/api/v1/users/42',
      '-H',
      'host: secure.example.com',
      '-H',
      'x-beta: true',
    );
    expect(tls.code).toBe(0);
    expect(tls.stdout).toMatch(
      /^Filter chain .*selected by server name secure\.example\.com, transport tls$/m,
    );
    expect(tls.stdout).toContain('TLS: certificate Secret default/secure-cert');
    expect(tls.stdout).toContain('(Mapping default/users-beta)');
    expect(tls.stdout).toContain('request header x-attache-route: users-beta');

    const canary = await explain(
      '-f',
      quickstart,
      'GET http://local.example.com:8080/catalog/shoes',
      '-H',
      'host: local.example.com',
    );
    expect(canary.stdout).toMatch(/\(Mapping default\/catalog-canary\) \[10% of requests\]/);
    expect(canary.stdout).toMatch(/\(Mapping default\/catalog\) \[90% of requests\]/);

    const redirect = await explain(
      '-f',
      quickstart,
      'GET http://secure.example.com:8080/api/v1/users/42',
      '-H',
      'host: secure.example.com',
    );
    expect(redirect.stdout).toContain('redirect 301 to https://secure.example.com/api/v1/users/42');
  });

  it('takes the URL a user types: no port, no Host header, through the usual Service ports', async () => {
    const tls = await explain('-f', quickstart, 'GET https://secure.example.com/api/v1/users/42');
    expect(tls.code).toBe(0);
    expect(tls.stdout).toMatch(
      /^Deployment +the URL names no port: modelled the usual deployment, a Service forwarding port 443 to Envoy's listener on 8443, with the Host header secure\.example\.com \(no port\)/m,
    );
    expect(tls.stdout).toMatch(
      /^Request +GET https:\/\/secure\.example\.com\/api\/v1\/users\/42 +\(port 8443, TLS, SNI secure\.example\.com/m,
    );
    expect(tls.stdout).toMatch(/^Listener +\S+ on 0\.0\.0\.0:8443/m);
    expect(tls.stdout).toMatch(/^Route +route #\d+ .*\(Mapping default\/users\)$/m);

    const cleartext = await explain('-f', quickstart, 'GET http://secure.example.com/api/v1/users/42');
    expect(cleartext.stdout).toContain("a Service forwarding port 80 to Envoy's listener on 8080");
    expect(cleartext.stdout).toContain('redirect 301 to https://secure.example.com/api/v1/users/42');
  });

  it('--listener sends the URL as written to another listener port; an explicit port is used as it is', async () => {
    const dir = ownConfig();
    const listener = await explain('-f', dir, '--listener', '8080', 'GET http://shop.example.com/orders/7');
    expect(listener.code).toBe(0);
    expect(listener.stdout).not.toContain('Deployment');
    expect(listener.stdout).toMatch(/^Request +GET http:\/\/shop\.example\.com\/orders\/7 +\(port 8080,/m);
    expect(listener.stdout).toMatch(/^Route +route #\d+ .*\(Mapping default\/orders\)$/m);

    const explicit = await explain('-f', dir, 'GET http://shop.example.com:80/orders/7');
    expect(explicit.code).toBe(1);
    expect(explicit.stdout).toContain('no listener on port 80 (listeners: 8080)');

    const bad = await explain('-f', dir, '--listener', 'http', 'GET http://shop.example.com/');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--listener 'http' is not a port (1-65535)");
  });

  it('rejects a request that is not METHOD URL', async () => {
    const r = await explain('-f', quickstart, 'GET example.com/');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'example.com/' is not an http:// or https:// URL");
  });
});
