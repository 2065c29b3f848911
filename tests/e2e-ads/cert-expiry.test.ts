import { afterEach, describe, expect, it } from 'vitest';
import { makeCertificate, tlsSecret } from '../../packages/testkit/src/index.js';
import {
  createPipeline,
  envoyPlugin,
  httpPlugin,
  Runtime,
  type StoredResource,
  silentLogger,
} from './deps.js';

/**
 * Certificate expiry is checked against the time of the compile, which only
 * the caller may read (passes stay pure): `serve`'s runtime hands its clock to
 * every compile, so a Host whose certificate expires within 30 days warns.
 */

const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function diagnosticsAt(clock: Date) {
  const pair = makeCertificate({ commonName: 'soon.example.com', days: 10 });
  runtime = new Runtime({
    pipeline: createPipeline([httpPlugin, envoyPlugin]),
    sources: new Map(),
    sinks: new Map(),
    logger: silentLogger(),
    baseDir: process.cwd(),
    now: () => clock,
  });
  await runtime.start();
  const store = runtime.store.writerFor('test', 'http');
  store.replace('all', [
    stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Listener',
      metadata: { name: 'https', namespace: 'default' },
      spec: {
        port: 8443,
        protocol: 'HTTPS',
        securityModel: 'XFP',
        hostBinding: { namespace: { from: 'ALL' } },
      },
    }),
    stored({
      apiVersion: 'getambassador.io/v3alpha1',
      kind: 'Host',
      metadata: { name: 'soon', namespace: 'default' },
      spec: { hostname: 'soon.example.com', tlsSecret: { name: 'soon-cert' } },
    }),
    stored(tlsSecret('soon-cert', pair)),
  ]);
  store.synced();
  await runtime.flush();
  return runtime.diagnostics().map((d) => d.code);
}

describe('certificate expiry in serve', () => {
  it('warns when the runtime clock says the certificate expires within 30 days', async () => {
    expect(await diagnosticsAt(new Date())).toContain('SECRET_CERT_EXPIRING');
  });

  it('does not warn when the runtime clock is months before that', async () => {
    expect(await diagnosticsAt(new Date(Date.now() - 120 * 24 * 3600 * 1000))).not.toContain(
      'SECRET_CERT_EXPIRING',
    );
  });
});
