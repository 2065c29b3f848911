import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { resourcesFromYaml, valuePaths, withValue } from '@attache/testkit';
import { describe, expect, it } from 'vitest';
import { httpPlugin } from './index.js';

const dir = fileURLToPath(new URL('./testdata', import.meta.url));
const plugins = [httpPlugin, envoyPlugin];

/** Values users really write by mistake: wrong types, empties, extremes, glob and regex metacharacters. */
const hostileValues: unknown[] = [
  null,
  '',
  ' ',
  -1,
  0,
  1e12,
  1.5,
  true,
  'x'.repeat(300),
  '*',
  '[',
  '%',
  '/../',
  'ünïcödé',
  {},
  [],
  [null],
  { '': '' },
  // Values Envoy refuses although its protos accept them (checked with Envoy 1.39.3):
  1e308, // a duration past Envoy's int64-nanosecond limit
  9223372036000,
  'x\r\ninjected: 1', // CR/LF in a header name or value
  '100%', // a header value is a format: a lone "%" is no command
  '/[a-z]{500}', // a regex whose RE2 program exceeds max_program_size
];

type Json = Record<string, unknown>;

/** Fields that carry Envoy's own proto3 JSON (Mapping outlier_detection): Envoy's validation speaks for them. */
const envoyPassthrough = new Set(['outlier_detection']);

interface Mutation {
  file: string;
  index: number;
  path: Array<string | number>;
  value: unknown;
}

/** Deterministic sample (a failure must reproduce): every k-th mutation of every golden input. */
function mutations(limit: number): Array<Mutation & { resources: StoredResource[] }> {
  const all: Array<Mutation & { resources: StoredResource[] }> = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()) {
    const resources = resourcesFromYaml(readFileSync(`${dir}/${file}`, 'utf8'), file);
    resources.forEach((stored, index) => {
      // Everything but the envelope (which core checks): spec, and data/subsets/endpoints/ports of Kubernetes kinds.
      const { apiVersion: _a, kind: _k, metadata: _m, ...body } = stored.resource;
      for (const path of valuePaths(body).filter((p) => p.length > 0)) {
        for (const value of hostileValues) all.push({ file, index, path, value, resources });
      }
    });
  }
  const step = Number.isFinite(limit) ? Math.max(1, Math.floor(all.length / limit)) : 1;
  return all.filter((_, i) => i % step === 0);
}

describe('hostile input: one wrong value never breaks the compile, and Attaché names it', () => {
  // HOSTILE_MUTATIONS=all tries every mutation (minutes); the default sample keeps the suite quick.
  const sample = mutations(process.env.HOSTILE_MUTATIONS === 'all' ? Number.POSITIVE_INFINITY : 5000);

  it(`survives ${sample.length} single-field mutations of the golden inputs`, () => {
    const failures: string[] = [];
    for (const m of sample) {
      const resources = m.resources.map((stored, i) =>
        i === m.index
          ? {
              ...stored,
              resource: withValue(stored.resource as Json, m.path, m.value) as typeof stored.resource,
            }
          : stored,
      );
      const where = `${m.file} #${m.index} ${m.path.join('.')} = ${JSON.stringify(m.value)}`;
      try {
        const result = compile(resources, plugins);
        for (const d of result.diagnostics) {
          if (d.code === 'PASS_FAILED') failures.push(`${where}: PASS_FAILED ${d.message}`);
          // Attaché's own checks must catch a wrong value and name the field; only Envoy's own
          // config, passed through as written, is left to the strict Envoy validation.
          else if (d.code === 'ENVOY_REJECTED' && !m.path.some((k) => envoyPassthrough.has(String(k))))
            failures.push(`${where}: only Envoy's validation caught it (${d.message})`);
          else if (d.severity === 'error' && !d.resource)
            failures.push(`${where}: ${d.code} names no resource`);
        }
      } catch (error) {
        failures.push(`${where}: threw ${(error as Error).message}`);
      }
    }
    expect(failures, failures.slice(0, 30).join('\n')).toEqual([]);
  }, 300_000);
});

/**
 * Inputs a real Envoy 1.39.3 refused although Attaché's strict validation
 * accepted them (found by tests/e2e-envoy serving them over ADS). Each is now
 * caught by the http plugin on the user's field, and the Envoy validator
 * (packages/envoy envoy-semantics.ts) knows the rule too.
 */
describe('hostile input: what a real Envoy refused', () => {
  const listener = `apiVersion: getambassador.io/v3alpha1
kind: Listener
metadata: {name: edge, namespace: default}
spec: {port: 8080, protocol: HTTP, securityModel: XFP, hostBinding: {namespace: {from: ALL}}}
`;
  const mapping = (spec: string) => `${listener}---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: m, namespace: default}
spec:
  hostname: "*"
  prefix: /p/
  service: svc
${spec}`;
  const module = (config: string) => `${listener}---
apiVersion: getambassador.io/v3alpha1
kind: Module
metadata: {name: ambassador, namespace: default}
spec:
  config:
${config}`;
  const host = (name: string, hostname: string, extra = '') => `---
apiVersion: getambassador.io/v3alpha1
kind: Host
metadata: {name: ${name}, namespace: default}
spec:
  hostname: ${hostname}
${extra}`;
  // A real pair is not needed: Attaché refuses these before it reads the Secret's PEM.
  const secret = `---
apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: default}
type: kubernetes.io/tls
stringData: {tls.crt: x, tls.key: x}
`;

  it.each([
    [
      'an unknown format command in an added header (RDS: "Not supported field in StreamInfo")',
      mapping('  add_request_headers: {x-a: "%NOT_AN_OP%"}\n'),
      'HTTP_HEADER_INVALID',
      '/spec/add_request_headers/x-a',
    ],
    [
      'a length on a format command that takes none ("does not take any parameters or length")',
      mapping('  add_response_headers: {x-a: "%PROTOCOL:3%"}\n'),
      'HTTP_HEADER_INVALID',
      '/spec/add_response_headers/x-a',
    ],
    [
      'a health-check status range with min above max (CDS: "Invalid http expected status range")',
      mapping(
        '  health_checks: [{health_check: {http: {path: /h, expected_statuses: [{min: 300, max: 200}]}}}]\n',
      ),
      'HTTP_SCHEMA_INVALID',
      '/spec/health_checks/0/health_check/http/expected_statuses/0',
    ],
    [
      'a gRPC health check on an HTTP/1 upstream (CDS: "cluster must support HTTP/2 for gRPC healthchecking"); without feature-grpc it is left out',
      mapping('  health_checks: [{health_check: {grpc: {upstream_name: svc}}}]\n'),
      'FIELD_NEEDS_PLUGIN',
      '/spec/health_checks/0/health_check/grpc',
    ],
    [
      'an unknown format command in the access log (LDS: "Not supported field in StreamInfo")',
      module('    envoy_log_format: "%BOGUS_OPERATOR%"\n'),
      'MODULE_LOG_FORMAT_INVALID',
      '/spec/config/envoy_log_format',
    ],
    [
      'a broken format command in a JSON access log field (LDS: "Incorrect configuration")',
      module('    envoy_log_type: json\n    envoy_log_format: {a: "%REQ(x%"}\n'),
      'MODULE_LOG_FORMAT_INVALID',
      '/spec/config/envoy_log_format/a',
    ],
    [
      'a line break in server_name (the listener lost its only filter chain: "no filter chains specified")',
      module('    server_name: "edge\\nX: 1"\n'),
      'HTTP_HEADER_INVALID',
      '/spec/config/server_name',
    ],
    [
      'two Hosts whose names differ only in case (RDS: "Only unique values for domains are permitted")',
      `${listener}${host('h1', 'A.example.com')}${host('h2', 'a.example.com')}`,
      'HOST_HOSTNAME_DUPLICATE',
      '/spec/hostname',
    ],
    [
      'a cipher BoringSSL does not know (SDS: "Failed to initialize cipher suites")',
      `${listener}${secret}---
apiVersion: getambassador.io/v3alpha1
kind: TLSContext
metadata: {name: strict, namespace: default}
spec: {secret: cert, cipher_suites: [BOGUS-CIPHER]}
`,
      'HTTP_SCHEMA_INVALID',
      '/spec/cipher_suites/0',
    ],
    [
      'a curve BoringSSL does not know (SDS: "Failed to initialize ECDH curves")',
      `${listener}${secret}${host('h', 'h.example.com', '  tlsSecret: {name: cert}\n  tls: {ecdh_curves: [P-999]}\n')}`,
      'HTTP_SCHEMA_INVALID',
      '/spec/tls/ecdh_curves/0',
    ],
    [
      'an ALPN protocol longer than 255 bytes (LDS: "Invalid ALPN protocol string")',
      `${listener}${secret}---
apiVersion: getambassador.io/v3alpha1
kind: TLSContext
metadata: {name: alpn, namespace: default}
spec: {secret: cert, alpn_protocols: "h2,${'x'.repeat(300)}"}
`,
      'HTTP_SCHEMA_INVALID',
      '/spec/alpn_protocols',
    ],
  ])('%s', (_what, yaml, code, path) => {
    const result = compile(resourcesFromYaml(yaml, 'case.yaml'), plugins);
    const errors = result.diagnostics.filter((d) => d.severity === 'error' || d.code === 'PASS_FAILED');
    expect(errors.map((d) => d.code)).not.toContain('PASS_FAILED');
    expect(errors.map((d) => d.code)).not.toContain('ENVOY_REJECTED');
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ code, path }));
  });

  it('an Endpoints address that is no IP is left out (EDS: "malformed IP address" refused every endpoint)', () => {
    const yaml = `${listener}---
apiVersion: getambassador.io/v3alpha1
kind: Mapping
metadata: {name: m, namespace: default}
spec: {hostname: "*", prefix: /p/, service: "svc:80", resolver: endpoint}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: svc, namespace: default}
subsets: [{addresses: [{ip: 10.0.0.1}, {ip: "not-an-ip"}, {ip: "100%"}], ports: [{name: http, port: 8080}]}]
`;
    const result = compile(resourcesFromYaml(yaml, 'case.yaml'), plugins);
    expect(result.diagnostics.map((d) => d.code)).not.toContain('ENVOY_REJECTED');
    const assignments = Object.values(result.xds)
      .flat()
      .filter((r) => r.typeUrl.endsWith('ClusterLoadAssignment'));
    expect(JSON.stringify(assignments.map((a) => a.resource))).toContain('10.0.0.1');
    expect(JSON.stringify(assignments.map((a) => a.resource))).not.toContain('not-an-ip');
  });
});
