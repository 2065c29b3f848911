import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  cliPath,
  EchoServer,
  type Edge,
  edgeSkipReason,
  freePorts,
  host,
  listener,
  makeCertificate,
  mapping,
  type Obj,
  resourceDir,
  startEdge,
  tlsSecret,
  writeResources,
} from '../e2e-envoy/edge.js';
import { type Browser, browserSkipReason, launchBrowser } from './browser.js';

/**
 * The diagnostics UI in a real browser (Debian's chromium, headless, driven
 * by playwright-core), against a real `attache serve` and a real Envoy on its
 * bootstrap: the pages load without console errors; the explainer gives the
 * CLI's answer, word for word; a Listener that Envoy refuses shows on that
 * Listener, in the client table and in the problems; a broken file shows its
 * diagnostic with file and line; no key material reaches a page.
 *
 * With SCREENSHOTS=<dir> (tools/screenshots/run.sh), each step also saves a
 * screenshot of the page it checked.
 */
const skip =
  browserSkipReason('tests/observability UI (browser)') ?? edgeSkipReason('tests/observability UI (browser)');
if (skip) console.warn(skip);
const screenshots = process.env.SCREENSHOTS ? resolve(process.env.SCREENSHOTS) : undefined;

/** A plain TCP server on 127.0.0.1, so Envoy cannot bind 0.0.0.0 on its port (Envoy then NACKs the Listener). */
async function holdPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => r());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.skipIf(skip !== undefined)('the diagnostics UI in chromium', () => {
  const resources = resourceDir();
  let edge: Edge;
  let browser: Browser;
  let echo: EchoServer;
  let taken: Awaited<ReturnType<typeof holdPort>>;
  let httpPort: number;
  let httpsPort: number;
  const cert = makeCertificate({ commonName: 'secure.example.com' });

  const shoot = async (page: import('playwright-core').Page, name: string) => {
    if (!screenshots) return;
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
  };

  beforeAll(async () => {
    [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
    echo = await EchoServer.start({ name: 'quote' });
    taken = await holdPort();
    const objects: Obj[] = [
      listener('edge-http', httpPort),
      listener('edge-https', httpsPort, 'HTTPS'),
      host('secure', { hostname: 'secure.example.com', tlsSecret: { name: 'secure-cert' } }),
      tlsSecret('secure-cert', cert, { namespace: 'default' }),
      mapping('quote', { prefix: '/quote/', service: echo.address }),
      mapping('quote-admin', { prefix: '/quote/admin/', service: echo.address, rewrite: '/admin/' }),
    ];
    writeResources(resources.dir, 'edge.yaml', objects);
    edge = await startEdge({ resources: resources.dir, name: 'ui-envoy' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await Promise.all([echo?.close(), taken?.close()]);
    resources.remove();
  });

  it('loads the pages without console errors, shows the client, and never renders key material', async () => {
    const { page, errors } = await browser.page();
    onTestFailed(() => console.error(errors, edge.attache.tail(30)));
    const response = await page.goto(edge.attache.adminUrl);
    expect(response?.status()).toBe(200);
    await page.waitForLoadState('load');
    expect(await page.title()).toBe('diagnostics · Attaché');
    // The one Envoy is connected, on group default, with every type current.
    const clients = page.locator('table.clients tr[data-node]');
    await expect.poll(async () => clients.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#summary').textContent()).toContain('all acknowledged the current version');
    // What exists: the Mapping under its Listener, and the secret by fingerprint only.
    // textContent, not innerText: virtual hosts and clusters are folded (<details>) until clicked.
    const config = (await page.locator('#config').textContent()) ?? '';
    expect(config).toContain('Listener default/edge-http');
    expect(config).toContain('route default/quote');
    const fingerprint = new X509Certificate(cert.cert).fingerprint256;
    expect(config).toContain(fingerprint);
    const html = await page.content();
    expect(html).not.toContain('PRIVATE KEY');
    expect(html).not.toContain(cert.key.split('\n')[1]!);
    await shoot(page, 'overview');
    // Unfold the configuration tree (as a person clicking through it) and look at it whole.
    await page.locator('#config details').evaluateAll((all) => {
      for (const d of all) d.setAttribute('open', '');
    });
    const adminRoute = page.locator('#config .route', { hasText: 'route default/quote-admin' });
    expect(await adminRoute.first().isVisible()).toBe(true);
    expect(
      await page.locator('#config .cluster summary', { hasText: 'cluster_127.0.0.1_' }).first().isVisible(),
    ).toBe(true);
    await page.locator('#config').evaluate((e) => e.scrollIntoView());
    await shoot(page, 'config');
    // The resource page of the Secret: by certificate only.
    await page.goto(`${edge.attache.adminUrl}/resource?kind=Secret&namespace=default&name=secure-cert`);
    const secretPage = await page.content();
    expect(secretPage).toContain(fingerprint);
    expect(secretPage).toContain('values are never shown');
    expect(secretPage).not.toContain('PRIVATE KEY');
    expect(secretPage).not.toContain(Buffer.from(cert.key).toString('base64').slice(0, 40));
    await page.goto(`${edge.attache.adminUrl}/resource?kind=Mapping&namespace=default&name=quote`);
    expect(await page.locator('h1').textContent()).toBe('Mapping default/quote');
    expect(await page.content()).toContain('edge.yaml:');
    await shoot(page, 'resource');
    expect(errors).toEqual([]);
  });

  it('explains a request in the form with the same answer as `attache explain`', async () => {
    const { page, errors } = await browser.page();
    const requests = [
      // (A Host header without the port, as a client behind a load balancer on port 443 sends it.)
      {
        method: 'GET',
        url: `https://secure.example.com:${httpsPort}/quote/admin/x`,
        headers: 'host: secure.example.com',
      },
      {
        method: 'POST',
        url: `http://secure.example.com:${httpPort}/quote/y`,
        headers: 'host: secure.example.com',
      },
      { method: 'GET', url: `http://localhost:${httpPort}/nowhere`, headers: '' },
    ];
    for (const r of requests) {
      await page.goto(`${edge.attache.adminUrl}/#explain`);
      await page.selectOption('#x-method', r.method);
      await page.fill('#x-url', r.url);
      await page.fill('#x-headers', r.headers);
      await Promise.all([page.waitForURL(/\/explain\?/), page.click('#x-submit')]);
      const shown = (await page.locator('#explain-result').textContent()) ?? '';
      const args = ['explain', '-f', resources.dir, `${r.method} ${r.url}`];
      if (r.headers) args.push('-H', r.headers);
      let cli: string;
      try {
        cli = execFileSync(process.execPath, [cliPath, ...args], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        cli = (e as { stdout: string }).stdout; // exit code 1: no route takes it; the explanation is still on stdout
      }
      expect(shown.trim(), r.url).toBe(cli.trim());
      expect(cli).toContain('Listener');
      // The Mapping behind the route is named, as the CLI names it from the compiler's IR.
      if (r.url.includes('/quote/admin/')) expect(shown).toContain('(Mapping default/quote-admin)');
    }
    expect(await page.locator('#explain-result').textContent()).toContain('Envoy answers 404');
    expect(await page.locator('#explain .badge').textContent()).toBe('no route takes it');
    await page.goto(
      `${edge.attache.adminUrl}/explain?method=GET&url=https://secure.example.com:${httpsPort}/quote/admin/x&headers=${encodeURIComponent('host: secure.example.com')}#explain`,
    );
    await shoot(page, 'explain');
    expect(errors).toEqual([]);
  });

  it('shows a refused Listener on that Listener: in the client table and in the problems', async () => {
    writeResources(resources.dir, 'taken.yaml', [listener('taken', taken.port)]);
    await edge.attache.waitFor(
      async () =>
        (await edge.attache.diagnostics()).some(
          (d) => d.code === 'ENVOY_REJECTED' && d.resource?.name === 'taken',
        ),
      { what: 'Envoy to refuse Listener taken' },
    );
    const { page, errors } = await browser.page();
    await page.goto(edge.attache.adminUrl);
    const row = page.locator('table.clients tr[data-type="Listener"]');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('refused');
    expect(text).toContain('default/taken');
    expect(text).toContain('Address already in use');
    // The refused Envoy listener came from the Listener (and the Host bound to it): both are named.
    expect(await row.locator('td.nack a').allTextContents()).toContain('Listener default/taken');
    for (const type of ['Cluster', 'RouteConfiguration']) {
      expect(await page.locator(`table.clients tr[data-type="${type}"]`).textContent()).toContain('current');
    }
    const group = page.locator('.problem-group[data-resource="Listener default/taken"]');
    expect(await group.textContent()).toContain('ENVOY_REJECTED');
    expect(await group.locator('h3').textContent()).toContain('taken.yaml:1');
    await shoot(page, 'nack');
    expect(errors).toEqual([]);
  });

  it('shows a broken file with file and line, and filters the problems as one types', async () => {
    // A YAML syntax error (line 8), and a Mapping with no service in a file of its own.
    writeResources(resources.dir, 'zz-bad-mapping.yaml', [
      {
        apiVersion: 'getambassador.io/v3alpha1',
        kind: 'Mapping',
        metadata: { name: 'bad', namespace: 'default' },
        spec: { hostname: '*', prefix: '/bad/' },
      },
    ]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(resources.dir, 'zz-broken.yaml'),
      'apiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata:\n  name: broken\n  namespace: default\nspec:\n  prefix: /x/\n  service: [unclosed\n',
    );
    await edge.attache.waitFor(
      async () => {
        const codes = (await edge.attache.diagnostics()).map((d) => d.code);
        return codes.includes('SOURCE_ERROR') && codes.some((c) => c.startsWith('MAPPING_'));
      },
      { what: 'the broken file and the bad Mapping as diagnostics' },
    );
    const { page, errors } = await browser.page();
    await page.goto(`${edge.attache.adminUrl}/#problems`);
    const problems = page.locator('#problems');
    const all = (await problems.textContent()) ?? '';
    expect(all).toMatch(/zz-broken\.yaml:9:\d+/);
    expect(all).toContain('SOURCE_ERROR');
    const bad = page.locator('.problem-group[data-resource="Mapping default/bad"]');
    expect(await bad.locator('h3').textContent()).toMatch(/zz-bad-mapping\.yaml:1\b/);
    expect(await bad.textContent()).toMatch(/MAPPING_\w+/);
    await shoot(page, 'problems');
    // Typing in the filter hides the rest (the script), and the server filter agrees.
    await page.fill('input[name="q"]', 'source_error');
    await expect.poll(async () => page.locator('tr.problem:visible').count()).toBe(1);
    expect(await page.locator('#problem-count').textContent()).toMatch(/^1 of \d+ shown$/);
    await page.goto(`${edge.attache.adminUrl}/?q=source_error#problems`);
    expect(await page.locator('tr.problem').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('reloads every 5 s while asked, and remembers it across the reload', async () => {
    const { page, errors } = await browser.page();
    await page.goto(edge.attache.adminUrl);
    const box = page.locator('#auto-refresh');
    expect(await box.isChecked()).toBe(false);
    await box.check();
    // A new Mapping while the page is open: the reload shows it without a click.
    writeResources(resources.dir, 'late.yaml', [
      mapping('late', { prefix: '/late/', service: echo.address }),
    ]);
    await page.waitForEvent('load', { timeout: 10_000 });
    expect(await page.locator('#auto-refresh').isChecked()).toBe(true);
    await expect
      .poll(async () => (await page.locator('#config').textContent()) ?? '', {
        timeout: 15_000,
        interval: 500,
      })
      .toContain('route default/late');
    await page.locator('#auto-refresh').uncheck();
    expect(errors).toEqual([]);
  });

  it('lists the recent reconfigures with what changed and the compile time', async () => {
    const { page, errors } = await browser.page();
    await page.goto(`${edge.attache.adminUrl}/#reconfigures`);
    const rows = page.locator('tr.reconfigure');
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    const newest = (await rows.first().textContent()) ?? '';
    expect(newest).toMatch(/\d+(\.\d+)? (ms|s)/);
    // The taken Listener's reconfigure names it among the inputs.
    expect(await page.locator('#reconfigures').textContent()).toContain('Listener default/taken');
    await page.locator('#reconfigures').scrollIntoViewIfNeeded();
    await shoot(page, 'reconfigures');
    expect(errors).toEqual([]);
  });
});
