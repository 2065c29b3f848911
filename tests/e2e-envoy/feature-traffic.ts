// Client-side helpers of the feature suites in tests/e2e-envoy (quickstart,
// tls, routing, resilience): HTTPS requests with a chosen SNI, bare TLS
// handshakes, the "Envoy took every update" check, and a binomial bound for
// traffic-split assertions. edge.ts holds the edge itself.
import { checkServerIdentity, type PeerCertificate, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { expect } from 'vitest';
import type { EchoRequest, EnvoyProcess } from './edge.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The echo upstream's JSON from an answer (throws, with the body, when it is not one). */
export function echoed(answer: Answer): EchoRequest {
  try {
    return JSON.parse(answer.body) as EchoRequest;
  } catch {
    throw new Error(`not an echo answer (status ${answer.status}): ${answer.body.slice(0, 300)}`);
  }
}

/**
 * An HTTPS request to 127.0.0.1:`port` sending `servername` as SNI (none when
 * undefined) and trusting only `ca`; the Host header is `host` (default: the SNI).
 */
export async function httpsRequest(
  port: number,
  path: string,
  options: {
    servername?: string;
    ca: string;
    host?: string;
    method?: string;
    headers?: Record<string, string>;
    /** A client certificate to present. */
    clientCertificate?: { cert: string; key: string };
  },
): Promise<Answer & { peerCommonName: string | undefined }> {
  const https = await import('node:https');
  const expectedName = options.servername ?? options.host ?? '';
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        // An empty servername sends no SNI extension at all.
        servername: options.servername ?? '',
        ca: options.ca,
        ...(options.clientCertificate ?? {}),
        // The certificate is checked against the name we asked for, not 127.0.0.1.
        checkServerIdentity: (_host: string, cert: PeerCertificate) =>
          expectedName ? checkServerIdentity(expectedName, cert) : undefined,
        headers: { host: options.host ?? options.servername ?? '127.0.0.1', ...(options.headers ?? {}) },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            peerCommonName: cert?.subject?.CN as string | undefined,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`https request ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A bare TLS handshake (no certificate check): the common name of the
 * certificate Envoy presented, or the handshake error's message.
 */
export function tlsHandshake(
  port: number,
  servername: string | undefined,
): Promise<{ ok: true; commonName: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: servername ?? '',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'handshake timed out' });
    }, 5000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cn = socket.getPeerCertificate().subject?.CN;
      socket.end();
      resolve({ ok: true, commonName: String(cn) });
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: false, error: e.message });
    });
  });
}

/** Every xDS update Envoy received so far was accepted, and at least one each of LDS, CDS and RDS. */
export async function expectNoRejectedUpdates(envoy: EnvoyProcess): Promise<void> {
  const xds = await envoy.xdsStats();
  expect(xds.lds.updateSuccess, 'LDS updates accepted').toBeGreaterThan(0);
  expect(xds.cds.updateSuccess, 'CDS updates accepted').toBeGreaterThan(0);
  expect(xds.rds.updateSuccess, 'RDS updates accepted').toBeGreaterThan(0);
  expect(
    {
      lds: xds.lds.updateRejected,
      cds: xds.cds.updateRejected,
      rds: xds.rds.updateRejected,
      eds: xds.eds.updateRejected,
      sds: xds.sds.updateRejected,
    },
    'rejected xDS updates',
  ).toEqual({ lds: 0, cds: 0, rds: 0, eds: 0, sds: 0 });
}

/** Resolves once Envoy holds at least `count` active dynamic listeners. */
export async function waitForListeners(envoy: EnvoyProcess, count: number): Promise<void> {
  await envoy.waitFor(async () => (await envoy.dynamicNames()).listeners.length >= count, {
    what: `${count} active dynamic listener(s)`,
  });
}

/**
 * The range a binomial count of `n` trials with probability `p` falls in
 * except with negligible probability: mean ± `sigmas` standard deviations
 * (5σ: about 6 runs in 10 million fall outside, by the normal approximation).
 */
export function binomialBounds(n: number, p: number, sigmas = 5): { low: number; high: number } {
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  return {
    low: Math.max(0, Math.floor(mean - sigmas * sd)),
    high: Math.min(n, Math.ceil(mean + sigmas * sd)),
  };
}

/** Runs `task` `total` times, at most `concurrency` at once; the results in order. */
export async function inBatches<T>(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array(total);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return out;
}
