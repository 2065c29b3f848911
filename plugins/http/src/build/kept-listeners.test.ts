import {
  type CompileResult,
  canonicalJson,
  compile,
  createIncrementalCompiler,
  HttpModelExt,
  readExt,
  type StoredResource,
  seededRandom,
} from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { makeCertificate } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from '../index.js';

// A real certificate, made with openssl for this run (none is committed).
const site = makeCertificate({ commonName: 'site.example.com', days: 365 });
const other = makeCertificate({ commonName: 'other.example.com', days: 365 });
const b64 = (s: string) => Buffer.from(s).toString('base64');
const plugins = [httpPlugin, envoyPlugin];

const stored = (resource: Record<string, unknown>): StoredResource => ({
  resource: resource as StoredResource['resource'],
  origin: { source: 'test' },
});
const listener = (name: string, port: number, protocol: string, statsPrefix?: string) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Listener',
    metadata: { name, namespace: 'default' },
    spec: {
      port,
      protocol,
      securityModel: 'XFP',
      hostBinding: { namespace: { from: 'ALL' } },
      ...(statsPrefix ? { statsPrefix } : {}),
    },
  });
const secret = (name: string, pair: { cert: string; key: string }) =>
  stored({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'default' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) },
  });
const host = (
  name: string,
  hostname: string,
  tlsSecret = 'site',
  action = 'Redirect',
  extra: Record<string, unknown> = {},
) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Host',
    metadata: { name, namespace: 'default' },
    spec: { hostname, tlsSecret: { name: tlsSecret }, requestPolicy: { insecure: { action } }, ...extra },
  });
const mapping = (name: string, prefix: string, hostname: string) =>
  stored({
    apiVersion: 'getambassador.io/v3alpha1',
    kind: 'Mapping',
    metadata: { name, namespace: 'default' },
    spec: { prefix, service: `svc-${name}`, hostname },
  });

// The published HTTP model too (kept views of Hosts and route configurations).
// The model as JSON first: a plain compile's route sources are its HttpMappings, written as route
// sources (their toJSON), which canonicalJson alone would not ask for.
const bytes = (r: CompileResult) =>
  canonicalJson({
    xds: r.xds,
    diagnostics: r.diagnostics,
    model: JSON.parse(JSON.stringify(readExt(r.ir, HttpModelExt) ?? null)),
  });

describe('http.build-listeners under an incremental compiler (kept Listener builds)', () => {
  it('patches only the touched Hosts and equals a full build after every random step (diagnostics too)', () => {
    const random = seededRandom(15);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const hostnames: string[] = [];
    const fixed = new Map<string, StoredResource>();
    const put = (r: StoredResource) =>
      fixed.set(`${r.resource.kind}/${(r.resource.metadata as { name: string }).name}`, r);
    put(listener('http', 8080, 'HTTP'));
    put(listener('https', 8443, 'HTTPS'));
    put(secret('site', site));
    put(secret('other', other));
    for (let i = 0; i < 40; i++) {
      hostnames.push(`h${i}.example.com`);
      put(host(`h${i}`, `h${i}.example.com`, 'site', i % 3 === 0 ? 'Route' : 'Redirect'));
    }
    // The same SNI as h0 with other TLS (HOST_TLS_SNI_CONFLICT), the same SNI and TLS as h1 (one
    // chain for two Hosts), and a prefix glob (HOST_TLS_PREFIX_GLOB): diagnostics a patch reports again.
    put(host('conflict', 'h0.example.com:8500', 'other'));
    put(host('port', 'h1.example.com:8500'));
    put(host('glob', 'h2.*'));
    // Reported by Host ingest, which keeps its outcome while the Hosts are the same objects.
    put(host('ignored', 'ignored.example.com', 'site', 'Route', { tls: { redirect_cleartext_from: 8080 } }));
    hostnames.push('h1.example.com:8500', '*');
    const mappings = new Map<string, StoredResource>();
    let next = 0;
    const addMapping = () => {
      const name = `m${next++}`;
      mappings.set(name, mapping(name, `/p${next % 17}/`, pick(hostnames)));
    };
    for (let i = 0; i < 120; i++) addMapping();
    const inputs = () => [...fixed.values(), ...mappings.values()];

    const incremental = createIncrementalCompiler(plugins);
    let last = incremental.compile(inputs());
    let patched = 0;
    for (let step = 0; step < 60; step++) {
      const roll = random();
      let hostsChanged = false;
      if (roll < 0.3) addMapping();
      else if (roll < 0.55) mappings.delete(pick([...mappings.keys()]));
      else if (roll < 0.85) {
        const name = pick([...mappings.keys()]);
        mappings.set(name, mapping(name, `/q${step % 5}/`, pick(hostnames)));
      } else if (roll < 0.9) {
        put(listener('http', 8080, 'HTTP', step % 2 ? `stats${step}` : undefined));
        hostsChanged = true;
      } else if (roll < 0.95) {
        const i = Math.floor(random() * 40);
        put(host(`h${i}`, `h${i}.example.com`, 'site', step % 2 ? 'Route' : 'Redirect'));
        hostsChanged = true;
      }
      if (step % 15 === 7) {
        // Another hostname: the published view of the Host changes too.
        put(host(`h${step % 40}`, `h${step % 40}${step % 2 ? '-b' : ''}.example.com`));
        hostsChanged = true;
      }
      const result = incremental.compile(inputs());
      expect(bytes(result), `step ${step}`).toBe(bytes(compile(inputs(), plugins)));
      if (!hostsChanged) {
        // The same Listeners and Hosts: the listeners are the last compile's objects, and so is
        // every TLS route configuration but those of the Hosts the edit touched (at most one Host,
        // or every Host for a "*" Mapping).
        for (const name of ['default/http', 'default/https']) {
          expect(result.ir.listeners[name]).toBe(last.ir.listeners[name]);
        }
        const tls = Object.keys(result.ir.routeConfigs).filter((n) => n.includes('/tls/'));
        const same = tls.filter((n) => result.ir.routeConfigs[n] === last.ir.routeConfigs[n]);
        if (same.length >= tls.length - 2) patched++;
      }
      last = result;
    }
    expect(patched).toBeGreaterThan(20);
    const codes = new Set(last.diagnostics.map((d) => d.code));
    for (const code of ['HOST_TLS_SNI_CONFLICT', 'HOST_TLS_PREFIX_GLOB', 'TLSCONTEXT_FIELD_IGNORED']) {
      expect(codes).toContain(code);
    }
  });
});
