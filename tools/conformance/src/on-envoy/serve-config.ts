import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { compareStrings, TypeUrl, type XdsResources } from '@attache/core';

/** What the echo server standing in for one cluster must speak. */
export interface UpstreamNeeds {
  cluster: string;
  /** HTTP/2 cleartext (prior knowledge) when the cluster asks for HTTP/2. */
  protocol: 'http1' | 'h2c';
  /** The cluster originates TLS. */
  tls: boolean;
}

/** How a case's configuration is moved onto this machine for a real Envoy. */
export interface ServePlan {
  /** The case's listener port → the free port Envoy binds instead (on 127.0.0.1). */
  ports: ReadonlyMap<number, number>;
  /** Cluster name → the echo server that answers for it. */
  upstreams: ReadonlyMap<string, { host: string; port: number }>;
  /** A certificate and key that parse, for the places where a case's own do not. */
  certificate: { cert: string; key: string };
}

export interface ServedConfig {
  /** Proto3-JSON resources (with '@type') to serve over ADS. */
  resources: Record<string, unknown>[];
  /** Where a placeholder certificate, key or CA was replaced by the generated one (resource name › field). */
  substituted: string[];
}

type Json = Record<string, unknown>;

const httpProtocolOptions = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every listener port the compiled configuration binds, ascending. */
export function listenerPorts(xds: XdsResources): number[] {
  const ports = new Set<number>();
  for (const l of xds[TypeUrl.Listener]) {
    const socket = (l.resource.address as Json | undefined)?.socket_address as Json | undefined;
    if (typeof socket?.port_value === 'number') ports.add(socket.port_value);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Per cluster, the kind of echo server that can stand in for its upstreams. */
export function upstreamNeeds(xds: XdsResources): UpstreamNeeds[] {
  return xds[TypeUrl.Cluster]
    .map((c) => {
      const json = c.resource;
      const options = (json.typed_extension_protocol_options as Json | undefined)?.[httpProtocolOptions] as
        | Json
        | undefined;
      const explicit = options?.explicit_http_config as Json | undefined;
      const h2 = isObject(json.http2_protocol_options) || isObject(explicit?.http2_protocol_options);
      const socket = json.transport_socket as Json | undefined;
      const tls =
        socket?.name === 'envoy.transport_sockets.tls' ||
        String((socket?.typed_config as Json | undefined)?.['@type'] ?? '').endsWith('UpstreamTlsContext');
      return { cluster: c.name, protocol: h2 && !tls ? 'h2c' : 'http1', tls } satisfies UpstreamNeeds;
    })
    .sort((a, b) => compareStrings(a.cluster, b.cluster));
}

/**
 * The compiled configuration, changed only where this machine differs from a
 * cluster's: listeners bind 127.0.0.1 on the plan's free ports, every
 * cluster's endpoints are its echo server (DNS clusters become STATIC with
 * the DNS name kept as the endpoint's hostname, so auto_host_rewrite behaves
 * as before; EDS clusters keep EDS and get a ClusterLoadAssignment naming the
 * echo server), and certificates that do not parse (the cases' placeholder
 * PEM text) are replaced by a generated one. Routes, virtual hosts, filter
 * chains and HTTP filters are served untouched.
 */
export function configForEnvoy(xds: XdsResources, plan: ServePlan): ServedConfig {
  const substituted: string[] = [];
  const out: Json[] = [];
  for (const l of xds[TypeUrl.Listener]) {
    const json = structuredClone(l.resource);
    const socket = (json.address as Json | undefined)?.socket_address as Json | undefined;
    if (socket && typeof socket.port_value === 'number') {
      const port = plan.ports.get(socket.port_value);
      if (port === undefined)
        throw new Error(`no port planned for listener ${l.name} (${socket.port_value})`);
      socket.address = '127.0.0.1';
      socket.port_value = port;
    }
    substituteCertificates(json, l.name, plan, substituted);
    out.push(json);
  }
  out.push(...xds[TypeUrl.RouteConfiguration].map((r) => structuredClone(r.resource)));

  const edsServiceUse = new Map<string, number>();
  for (const c of xds[TypeUrl.Cluster]) {
    if (c.resource.type === 'EDS') {
      const service = edsServiceName(c.resource, c.name);
      edsServiceUse.set(service, (edsServiceUse.get(service) ?? 0) + 1);
    }
  }
  for (const c of xds[TypeUrl.Cluster]) {
    const json = structuredClone(c.resource);
    const echo = plan.upstreams.get(c.name);
    if (!echo) throw new Error(`no echo server planned for cluster ${c.name}`);
    const endpoint = { address: { socket_address: { address: echo.host, port_value: echo.port } } };
    const service = json.type === 'EDS' ? edsServiceName(json, c.name) : undefined;
    if (service !== undefined && edsServiceUse.get(service) === 1) {
      out.push({
        '@type': TypeUrl.ClusterLoadAssignment,
        cluster_name: service,
        endpoints: [{ lb_endpoints: [{ endpoint }] }],
      });
    } else {
      // A DNS name keeps its role as the host's name (auto_host_rewrite sends it as :authority).
      const hostname = firstEndpointAddress(json);
      delete json.eds_cluster_config;
      json.type = 'STATIC';
      json.load_assignment = {
        cluster_name: c.name,
        endpoints: [
          {
            lb_endpoints: [{ endpoint: { ...endpoint, ...(hostname !== undefined ? { hostname } : {}) } }],
          },
        ],
      };
    }
    substituteCertificates(json, c.name, plan, substituted);
    out.push(json);
  }
  for (const s of xds[TypeUrl.Secret]) {
    const json = structuredClone(s.resource);
    substituteCertificates(json, s.name, plan, substituted);
    out.push(json);
  }
  return { resources: out, substituted };
}

function edsServiceName(cluster: Json, name: string): string {
  const service = (cluster.eds_cluster_config as Json | undefined)?.service_name;
  return typeof service === 'string' && service !== '' ? service : name;
}

/** The address (a DNS name for DNS clusters) of a cluster's first endpoint, when it is not an IP. */
function firstEndpointAddress(cluster: Json): string | undefined {
  const la = cluster.load_assignment as Json | undefined;
  const locality = Array.isArray(la?.endpoints) ? (la.endpoints[0] as Json | undefined) : undefined;
  const lb = Array.isArray(locality?.lb_endpoints)
    ? (locality.lb_endpoints[0] as Json | undefined)
    : undefined;
  const socket = ((lb?.endpoint as Json | undefined)?.address as Json | undefined)?.socket_address as
    | Json
    | undefined;
  const address = socket?.address;
  if (typeof address !== 'string' || /^[\d.]+$|:/.test(address)) return undefined;
  return address;
}

/** PEM text of an Envoy DataSource; undefined when it names a file that is not there. */
function dataSourceText(ds: unknown): string | undefined {
  if (!isObject(ds)) return undefined;
  if (typeof ds.inline_string === 'string') return ds.inline_string;
  if (typeof ds.inline_bytes === 'string') return Buffer.from(ds.inline_bytes, 'base64').toString('utf8');
  if (typeof ds.filename === 'string' && existsSync(ds.filename)) return readFileSync(ds.filename, 'utf8');
  return undefined;
}

function certificateParses(pem: string | undefined): boolean {
  if (pem === undefined) return false;
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

function keyParses(pem: string | undefined): boolean {
  if (pem === undefined) return false;
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * Walks a resource and replaces, in place, every TlsCertificate whose
 * certificate or key does not parse, and every trusted CA that does not
 * parse, with the plan's generated certificate (self-signed, so it is its own
 * CA). Parseable material is left alone, so a real mismatch still reaches Envoy.
 */
function substituteCertificates(
  node: unknown,
  resource: string,
  plan: ServePlan,
  log: string[],
  path = '',
): void {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries())
      substituteCertificates(child, resource, plan, log, `${path}[${i}]`);
    return;
  }
  if (!isObject(node)) return;
  if ('certificate_chain' in node && 'private_key' in node) {
    if (
      !certificateParses(dataSourceText(node.certificate_chain)) ||
      !keyParses(dataSourceText(node.private_key))
    ) {
      node.certificate_chain = { inline_string: plan.certificate.cert };
      node.private_key = { inline_string: plan.certificate.key };
      log.push(`${resource} › ${path.replace(/^\./, '') || 'tls_certificate'}`);
    }
  }
  if ('trusted_ca' in node && !certificateParses(dataSourceText(node.trusted_ca))) {
    node.trusted_ca = { inline_string: plan.certificate.cert };
    log.push(`${resource} › ${path.replace(/^\./, '')}.trusted_ca`);
  }
  for (const [key, child] of Object.entries(node)) {
    if (key === 'certificate_chain' || key === 'private_key' || key === 'trusted_ca') continue;
    substituteCertificates(child, resource, plan, log, `${path}.${key}`);
  }
}
