import { compareStrings } from '@attache/core';
import {
  type EnvoyModel,
  type ExplainRequest,
  type Explanation,
  explainRequest,
  type JsonObject,
  type RouteOutcomeAction,
  regexFullMatch,
  stableStringify,
} from '@attache/explain';
import { canon } from './canon.js';
import type { ClusterNamer } from './cluster-identity.js';

export interface Probe {
  label: string;
  request: ExplainRequest;
}

interface Variant {
  method?: string;
  headers: Record<string, string>;
  query?: string;
  /** Paths this variant is meant for (the paths of the route that asked for it). */
  paths: string[];
}

/**
 * Requests that tell two configurations apart: for every listener port, every
 * host name either side knows (from domains, :authority matchers, SNI names),
 * every path either side's routes mention (each prefix, just inside it, in
 * another case), over cleartext, cleartext claiming x-forwarded-proto https,
 * and TLS; plus, for routes with header, method or query matchers, requests
 * that satisfy them.
 */
export function generateProbes(models: readonly EnvoyModel[]): Probe[] {
  const ports = new Map<number, boolean>();
  const hosts = new Set<string>();
  const paths = new Set<string>(['/', '/conformance-probe']);
  const variants: Variant[] = [];
  for (const model of models) {
    for (const l of model.listeners) {
      ports.set(l.port, (ports.get(l.port) ?? false) || l.listenerFilters.includes('proxy_protocol'));
      for (const chain of [...l.filterChains, ...(l.defaultFilterChain ? [l.defaultFilterChain] : [])]) {
        for (const name of chain.match.serverNames) hosts.add(sampleHost(name));
        for (const vh of chain.hcm?.routeConfig?.virtualHosts ?? []) {
          for (const d of vh.domains) hosts.add(sampleHost(d));
          for (const r of vh.routes) {
            const routePaths = samplePaths(r.match);
            for (const p of routePaths) paths.add(p);
            const variant = variantFor(r.match, routePaths, hosts);
            if (variant) variants.push(variant);
          }
        }
      }
    }
  }
  if (hosts.size === 0) hosts.add('probe.example.com');
  const probes: Probe[] = [];
  const seen = new Set<string>();
  const add = (p: Probe) => {
    const key = stableStringify(p.request);
    if (!seen.has(key)) {
      seen.add(key);
      probes.push(p);
    }
  };
  for (const [port, proxy] of [...ports].sort((a, b) => a[0] - b[0])) {
    const hostList = [...hosts].sort(compareStrings);
    for (const host of hostList) {
      for (const authority of [host, `${host}:${port}`]) {
        for (const conn of CONNECTIONS) {
          for (const path of [...paths].sort(compareStrings)) {
            add(probe(port, host, authority, conn, path, { headers: {}, paths: [] }, proxy));
          }
          for (const v of variants) {
            for (const path of v.paths) add(probe(port, host, authority, conn, path, v, proxy));
          }
        }
      }
    }
    // The other side of the PROXY protocol question, once per port.
    add(probe(port, hostList[0]!, hostList[0]!, CONNECTIONS[0]!, '/', { headers: {}, paths: [] }, !proxy));
  }
  return probes;
}

interface Connection {
  tls: boolean;
  forwardedProto?: string;
}

const CONNECTIONS: Connection[] = [
  { tls: false },
  { tls: false, forwardedProto: 'https' },
  { tls: true },
  { tls: true, forwardedProto: 'http' },
];

function probe(
  port: number,
  host: string,
  authority: string,
  conn: Connection,
  path: string,
  v: Variant,
  proxy: boolean,
): Probe {
  const scheme = conn.tls ? 'https' : 'http';
  const headers: Record<string, string> = { host: authority, ...v.headers };
  if (conn.forwardedProto) headers['x-forwarded-proto'] = conn.forwardedProto;
  const url = `${scheme}://${host.replace(/:\d+$/, '')}:${port}${path}${v.query !== undefined ? `?${v.query}` : ''}`;
  const request: ExplainRequest = { method: v.method ?? 'GET', url, headers };
  if (proxy) request.proxyProtocol = true;
  const extras = Object.entries(v.headers).map(([k, val]) => `${k}: ${val}`);
  if (conn.forwardedProto) extras.push(`x-forwarded-proto: ${conn.forwardedProto}`);
  if (authority !== host) extras.push(`host: ${authority}`);
  if (proxy) extras.push('PROXY');
  const label = `${request.method} ${url}${extras.length > 0 ? ` [${extras.join('; ')}]` : ''}`;
  return { label, request };
}

/** A concrete host for a domain pattern: '*.b.c' → 'probe.b.c', 'a.*' → 'a.probe', '*' → 'unknown.probe'. */
function sampleHost(domain: string): string {
  const d = domain.toLowerCase();
  if (d === '*') return 'unknown.probe';
  if (d.startsWith('*')) return `probe${d.slice(1)}`;
  if (d.endsWith('*')) return `${d.slice(0, -1)}probe`;
  return d;
}

function samplePaths(match: JsonObject): string[] {
  const out: string[] = [];
  const prefix = match.prefix;
  if (typeof prefix === 'string') {
    out.push(prefix, `${prefix}probe`, `${prefix}${prefix.endsWith('/') ? '' : '/'}probe/x`);
    if (prefix.toUpperCase() !== prefix) out.push(`${prefix.toUpperCase()}probe`);
  }
  const path = match.path ?? match.path_separated_prefix;
  if (typeof path === 'string') {
    out.push(path, `${path}/x`, `${path}x`);
    if (path.toUpperCase() !== path) out.push(path.toUpperCase());
  }
  const regex = (match.safe_regex as JsonObject | undefined)?.regex;
  if (typeof regex === 'string') out.push(...sampleRegex(regex));
  return out;
}

/** A few strings a simple regex accepts, found by replacing common classes with samples. */
function sampleRegex(regex: string): string[] {
  const body = regex.replace(/^\^/, '').replace(/\$$/, '');
  const candidates = [
    body
      .replace(/\\d[+*]|\[0-9\][+*]/g, '1')
      .replace(/\\d|\[0-9\]/g, '1')
      .replace(/\[\^\/\][+*]|\.[+*]|\[a-z[^\]]*\][+*]|\\w[+*]/g, 'x')
      .replace(/\(\?:|[()]/g, '')
      .replace(/\?/g, '')
      .replace(/\\(.)/g, '$1'),
  ];
  candidates.push(`${candidates[0]}/extra`);
  return candidates.filter((c) => c.startsWith('/') && regexFullMatch(regex, c));
}

/** Headers, method and query that satisfy a route's matchers, if it has any beyond path and x-forwarded-proto. */
function variantFor(match: JsonObject, paths: string[], hosts: Set<string>): Variant | undefined {
  const v: Variant = { headers: {}, paths };
  for (const h of Array.isArray(match.headers) ? match.headers : []) {
    const header = h as JsonObject;
    const name = String(header.name).toLowerCase();
    if (name === 'x-forwarded-proto') continue;
    const value =
      header.invert_match === true ? undefined : sampleValue(header.string_match as JsonObject | undefined);
    if (name === ':authority') {
      if (value !== undefined) hosts.add(value);
      continue;
    }
    if (name === ':method') {
      if (value !== undefined) v.method = value;
      continue;
    }
    if (header.present_match === false) continue;
    v.headers[name] = value ?? 'probe';
  }
  const query: string[] = [];
  for (const q of Array.isArray(match.query_parameters) ? match.query_parameters : []) {
    const param = q as JsonObject;
    query.push(`${param.name}=${sampleValue(param.string_match as JsonObject | undefined) ?? 'probe'}`);
  }
  if (query.length > 0) v.query = query.join('&');
  if (Object.keys(v.headers).length === 0 && v.method === undefined && v.query === undefined)
    return undefined;
  return v;
}

function sampleValue(sm: JsonObject | undefined): string | undefined {
  if (!sm) return undefined;
  if (typeof sm.exact === 'string') return sm.exact;
  if (typeof sm.prefix === 'string') return `${sm.prefix}probe`;
  if (typeof sm.suffix === 'string') return `probe${sm.suffix}`;
  if (typeof sm.contains === 'string') return `probe${sm.contains}probe`;
  const regex = (sm.safe_regex as JsonObject | undefined)?.regex;
  if (typeof regex === 'string') {
    const literal = regex.replace(/^\^/, '').replace(/\$$/, '');
    for (const candidate of [
      literal.replace(/\\(.)/g, '$1'),
      literal.replace(/\.\*|\.\+/g, 'x').replace(/\\(.)/g, '$1'),
    ]) {
      if (regexFullMatch(regex, candidate)) return candidate;
    }
    const alternatives = /^\(?([^|()]+)\|/.exec(literal);
    if (alternatives && regexFullMatch(regex, alternatives[1]!)) return alternatives[1];
  }
  return undefined;
}

/** What a probe's result means, names removed: the comparable behaviour of one request. */
export function outcomeSignature(
  e: Explanation,
  model: EnvoyModel,
  namer: ClusterNamer,
  coarse = false,
): unknown {
  if (e.outcomes.length === 0) return { fails: e.failure?.stage ?? 'unknown' };
  const merged = new Map<string, { probability: number; action: unknown }>();
  for (const o of e.outcomes) {
    const action = coarse
      ? coarseActionSignature(o.action, model, namer)
      : actionSignature(o.action, model, namer);
    const key = stableStringify(action);
    const entry = merged.get(key);
    if (entry) entry.probability += o.probability;
    else merged.set(key, { probability: o.probability, action });
  }
  const outcomes = [...merged.entries()]
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([, v]) => ({ share: Math.round(v.probability * 10000) / 10000, ...(v.action as object) }));
  const out: Record<string, unknown> = { outcomes };
  if (e.filterChain?.tls && !coarse) out.tls = canon(e.filterChain.tls);
  return out;
}

/** Only where the request goes: the clusters, or the redirect's scheme, or 404. */
function coarseActionSignature(a: RouteOutcomeAction, model: EnvoyModel, namer: ClusterNamer): unknown {
  if (a.kind === 'forward') {
    return {
      clusters: a.clusters
        .map((c) => ({ cluster: namer(model, c.name), share: Math.round(c.share * 10000) / 10000 }))
        .sort((x, y) => compareStrings(stableStringify(x), stableStringify(y))),
    };
  }
  if (a.kind === 'redirect')
    return { redirect: a.location.startsWith('https://') ? 'to https' : 'elsewhere', status: a.status };
  return actionSignature(a, model, namer);
}

function actionSignature(a: RouteOutcomeAction, model: EnvoyModel, namer: ClusterNamer): unknown {
  switch (a.kind) {
    case 'no_route':
      return { status: 404, noRoute: true };
    case 'redirect':
      return { redirect: a.location, status: a.status };
    case 'direct_response':
      return { status: a.status, body: a.body };
    case 'forward': {
      const sig: Record<string, unknown> = {
        clusters: a.clusters
          .map((c) => ({ cluster: namer(model, c.name), share: Math.round(c.share * 10000) / 10000 }))
          .sort((x, y) => compareStrings(stableStringify(x), stableStringify(y))),
        path: a.path,
        authority: a.authority,
        timeoutMs: a.timeoutMs,
      };
      if (a.idleTimeoutMs !== undefined) sig.idleTimeoutMs = a.idleTimeoutMs;
      if (a.retryPolicy) sig.retryPolicy = canon(a.retryPolicy);
      const adds = (list: typeof a.requestHeadersToAdd) =>
        list
          .map(({ key, value, action }) => ({ key, value, action }))
          .sort((x, y) => compareStrings(stableStringify(x), stableStringify(y)));
      if (a.requestHeadersToAdd.length > 0) sig.requestHeadersToAdd = adds(a.requestHeadersToAdd);
      if (a.requestHeadersToRemove.length > 0)
        sig.requestHeadersToRemove = [...a.requestHeadersToRemove].sort(compareStrings);
      if (a.responseHeadersToAdd.length > 0) sig.responseHeadersToAdd = adds(a.responseHeadersToAdd);
      if (a.responseHeadersToRemove.length > 0)
        sig.responseHeadersToRemove = [...a.responseHeadersToRemove].sort(compareStrings);
      if (a.cors) sig.cors = canon(a.cors);
      if (a.mirrors.length > 0)
        sig.mirrors = a.mirrors.map((m) => ({ cluster: namer(model, m.cluster), fraction: m.fraction }));
      if (a.hashPolicy.length > 0) sig.hashPolicy = canon(a.hashPolicy);
      if (a.upgrades.length > 0) sig.upgrades = [...a.upgrades].sort(compareStrings);
      const other = canon(a.other);
      if (other !== undefined) sig.other = other;
      return sig;
    }
  }
}

/** One line for a signature: what happens to the request. */
export function describeSignature(sig: unknown): string {
  const s = sig as { fails?: string; outcomes?: Array<Record<string, unknown>> };
  if (s.fails) return `fails at ${s.fails}`;
  return (s.outcomes ?? [])
    .map((o) => {
      const share = o.share !== 1 ? `${Math.round(Number(o.share) * 10000) / 100}%: ` : '';
      if (o.noRoute) return `${share}404 no route`;
      if (o.redirect) return `${share}redirect ${o.status} ${o.redirect}`;
      if (o.clusters) {
        const targets = (o.clusters as Array<{ cluster: unknown }>).map((c) => {
          const cl = c.cluster as Record<string, unknown> | undefined;
          return String(cl?.target ?? cl?.emissaryCluster ?? stableStringify(cl));
        });
        return `${share}forward to ${targets.join(' + ')}${o.path !== undefined ? ` as ${o.authority}${o.path}` : ''}`;
      }
      return `${share}direct response ${o.status}`;
    })
    .join('; ');
}

export function evaluate(model: EnvoyModel, probe: Probe, namer: ClusterNamer, coarse = false): unknown {
  return outcomeSignature(explainRequest(model, probe.request), model, namer, coarse);
}
