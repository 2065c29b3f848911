import type { Resource, StoredResource } from '@attache/core';
import { benchCertificatePem, benchPrivateKeyPem } from './bench-certificate.js';

const ambassador = 'getambassador.io/v3alpha1';
const edgeNamespace = 'edge';
const teamNamespaces = 8;

export interface CompileScenario {
  /** '<hosts>x<mappings>', the name given to --scenario. */
  name: string;
  hosts: number;
  mappings: number;
  description: string;
}

export const compileScenarios: readonly CompileScenario[] = [
  { name: '10x1000', hosts: 10, mappings: 1000, description: '10 TLS Hosts, 1,000 varied Mappings' },
  { name: '10x10000', hosts: 10, mappings: 10000, description: '10 TLS Hosts, 10,000 varied Mappings' },
  {
    name: '1000x1500',
    hosts: 1000,
    mappings: 1500,
    description: '1,000 TLS Hosts, 1,500 Mappings (the many-Hosts shape of Emissary issue #4471)',
  },
  {
    name: '5000x100',
    hosts: 5000,
    mappings: 100,
    description: '5,000 TLS Hosts, 100 Mappings (Hosts dominate)',
  },
  {
    name: '100x10000',
    hosts: 100,
    mappings: 10000,
    description: '100 TLS Hosts, 10,000 Mappings (Mappings spread over many Hosts)',
  },
];

export function findScenario(name: string): CompileScenario | undefined {
  return compileScenarios.find((s) => s.name === name);
}

/** What the generator put in, so tests and reports can check the shape without re-deriving it. */
export interface GeneratedCounts {
  listeners: number;
  hosts: number;
  secrets: number;
  tlsContexts: number;
  mappings: number;
  /** Mappings with hostname '*': each attaches to every Host, which is what makes many-Host configs grow. */
  wildcardMappings: number;
  regexMappings: number;
  canaryMappings: number;
}

export interface GeneratedInputs {
  resources: StoredResource[];
  counts: GeneratedCounts;
}

/**
 * Builds the input of a compile benchmark: a Listener pair (8080 cleartext,
 * 8443 TLS, both XFP), `hosts` TLS Hosts each with its Secret, one TLSContext
 * for TLS origination, and `mappings` Mappings spread over the Hosts and varied
 * the way real configurations vary (regex prefixes, header and query matches,
 * rewrites, timeouts, canary pairs, a few with TLS origination, circuit
 * breakers or a load balancer policy).
 *
 * Every choice is a function of the Mapping's index (moduli that share no
 * factor, so features combine), never of a random source: the same scenario is
 * the same input on every run and every machine.
 */
export function generateCompileInputs(spec: { hosts: number; mappings: number }): GeneratedInputs {
  if (!Number.isInteger(spec.hosts) || spec.hosts < 1)
    throw new Error(`hosts must be a positive integer, got ${spec.hosts}`);
  if (!Number.isInteger(spec.mappings) || spec.mappings < 0) {
    throw new Error(`mappings must be a non-negative integer, got ${spec.mappings}`);
  }
  const resources: StoredResource[] = [];
  const counts: GeneratedCounts = {
    listeners: 0,
    hosts: 0,
    secrets: 0,
    tlsContexts: 0,
    mappings: 0,
    wildcardMappings: 0,
    regexMappings: 0,
    canaryMappings: 0,
  };
  const file = `generated/${spec.hosts}x${spec.mappings}.yaml`;
  const add = (resource: Resource) => {
    resources.push({ resource, origin: { source: 'bench', file, line: resources.length + 1 } });
  };

  for (const listener of listenerPair()) {
    add(listener);
    counts.listeners++;
  }
  for (let h = 0; h < spec.hosts; h++) {
    add(tlsSecret(h));
    counts.secrets++;
    add(host(h));
    counts.hosts++;
  }
  add(upstreamTlsContext());
  counts.tlsContexts++;
  for (let i = 0; i < spec.mappings; i++) {
    const mapping = variedMapping(i, spec.hosts);
    add(mapping.resource);
    counts.mappings++;
    if (mapping.wildcard) counts.wildcardMappings++;
    if (mapping.regex) counts.regexMappings++;
    if (mapping.canary) counts.canaryMappings++;
  }
  return { resources, counts };
}

export function hostnameOf(hostIndex: number): string {
  return `h${hostIndex}.bench.attache.invalid`;
}

function listenerPair(): Resource[] {
  return [
    {
      apiVersion: ambassador,
      kind: 'Listener',
      metadata: { name: 'http-8080', namespace: edgeNamespace },
      spec: {
        port: 8080,
        protocol: 'HTTP',
        securityModel: 'XFP',
        hostBinding: { namespace: { from: 'ALL' } },
      },
    },
    {
      apiVersion: ambassador,
      kind: 'Listener',
      metadata: { name: 'https-8443', namespace: edgeNamespace },
      spec: {
        port: 8443,
        protocol: 'HTTPS',
        securityModel: 'XFP',
        hostBinding: { namespace: { from: 'ALL' } },
      },
    },
  ];
}

function tlsSecret(hostIndex: number): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `h${hostIndex}-tls`, namespace: edgeNamespace },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(benchCertificatePem).toString('base64'),
      'tls.key': Buffer.from(benchPrivateKeyPem).toString('base64'),
    },
  };
}

function host(hostIndex: number): Resource {
  return {
    apiVersion: ambassador,
    kind: 'Host',
    metadata: { name: `h${hostIndex}`, namespace: edgeNamespace },
    spec: {
      hostname: hostnameOf(hostIndex),
      tlsSecret: { name: `h${hostIndex}-tls` },
      // Most Hosts redirect cleartext to HTTPS; every third also routes it (health checks behind an L4 LB).
      requestPolicy: { insecure: { action: hostIndex % 3 === 2 ? 'Route' : 'Redirect' } },
    },
  };
}

function upstreamTlsContext(): Resource {
  return {
    apiVersion: ambassador,
    kind: 'TLSContext',
    metadata: { name: 'upstream-tls', namespace: edgeNamespace },
    spec: { sni: 'backend.bench.attache.invalid', min_tls_version: 'v1.2' },
  };
}

interface VariedMapping {
  resource: Resource;
  wildcard: boolean;
  regex: boolean;
  canary: boolean;
}

/**
 * Mapping i. A canary (every 20th) copies the match of the Mapping before it
 * and sends a weighted share to another service, the way Emissary canaries are
 * written; everything about matching derives from `base`, everything about the
 * upstream from `i`.
 */
function variedMapping(i: number, hosts: number): VariedMapping {
  const canary = i % 20 === 19;
  const base = canary ? i - 1 : i;
  const namespace = `team-${Math.floor(base / 4) % teamNamespaces}`;
  // 50 mod 100 is never a canary (19 mod 20), so exactly one Mapping in a hundred is hostname '*'.
  const wildcard = base % 100 === 50;
  const regex = base % 25 === 3;
  const spec: Record<string, unknown> = {
    hostname: wildcard ? '*' : hostnameOf(base % hosts),
    prefix: regex ? `/regex/svc-${base}/[0-9]+/.*` : `/api/v${(base % 3) + 1}/svc-${base}/`,
    service: upstreamService(i, namespace),
  };
  if (regex) spec.prefix_regex = true;
  if (base % 6 === 1) spec.headers = { 'x-tenant': `t${base % 13}` };
  if (base % 17 === 2) spec.regex_headers = { 'x-version': '^v[0-9]+$' };
  if (base % 9 === 4) spec.query_parameters = { debug: '1' };
  if (base % 31 === 5) spec.regex_query_parameters = { id: '^[a-f0-9]{8}$' };
  if (base % 13 === 6) spec.method = 'GET';
  if (base % 29 === 0) spec.precedence = 10;

  const rewrite = i % 4;
  if (rewrite === 0) spec.rewrite = '/';
  else if (rewrite === 1) spec.rewrite = '';
  else if (rewrite === 2) spec.rewrite = `/internal/svc-${base}/`;
  if (i % 5 === 0) spec.timeout_ms = 1000 * (1 + (i % 30));
  if (i % 11 === 0) spec.idle_timeout_ms = 60000;
  if (i % 8 === 3) spec.add_request_headers = { 'x-bench-route': `r${i}` };
  if (i % 23 === 8) spec.retry_policy = { retry_on: '5xx', num_retries: 2 };
  if (canary) spec.weight = 10 + (i % 4) * 5;
  if (i % 97 === 13) spec.tls = 'upstream-tls';
  if (i % 89 === 17) {
    spec.circuit_breakers = [
      { max_connections: 2048, max_pending_requests: 1024, max_requests: 4096, max_retries: 3 },
    ];
  }
  if (i % 71 === 29) spec.load_balancer = { policy: 'ring_hash', header: 'x-user-id' };
  else if (i % 73 === 30) spec.load_balancer = { policy: 'least_request' };

  return {
    resource: {
      apiVersion: ambassador,
      kind: 'Mapping',
      metadata: { name: `m${i}`, namespace, labels: { team: namespace } },
      spec,
    },
    wildcard,
    regex,
    canary,
  };
}

/**
 * Services are shared by several Mappings (one per four), as real teams route
 * many paths to one backend, so cluster deduplication has work to do.
 */
function upstreamService(i: number, namespace: string): string {
  if (i % 20 === 19) return `svc-${Math.floor(i / 4)}-canary.${namespace}:8080`;
  if (i % 50 === 21) return `https://svc-${Math.floor(i / 4)}.${namespace}:8443`;
  return `svc-${Math.floor(i / 4)}.${namespace}:8080`;
}
