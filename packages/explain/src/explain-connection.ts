import { formatRef, type ResourceRef } from '@attache/core';
import { buildEnvoyModel, describeTarget, type EnvoyConfigInput } from './build-model.js';
import type { DownstreamTlsModel, EnvoyModel, FilterChainMatchModel, ListenerModel } from './model.js';
import { selectFilterChain } from './select-filter-chain.js';

/** A raw connection to explain: `tls://db.example.com:8443` (TLS, SNI the host) or `tcp://10.0.0.1:5432`. */
export interface ExplainConnection {
  /** `tls://host:port`, `tcp://host:port`, or `host:port` (cleartext). */
  target: string;
  /** The SNI to send instead of the host (TLS only). */
  sni?: string;
  proxyProtocol?: boolean;
}

export interface ConnectionExplanation {
  connection: { host: string; port: number; tls: boolean; sni?: string };
  listener?: {
    name: string;
    address: string;
    port: number;
    listenerFilters: string[];
    provenance: ResourceRef[];
  };
  filterChain?: {
    index: number;
    name?: string;
    isDefault: boolean;
    reason: string;
    match: FilterChainMatchModel;
    /** Envoy ends the client's TLS session here, with these settings. */
    tls?: DownstreamTlsModel;
  };
  /** What happens to the bytes. */
  handling?: 'tcp_proxy' | 'tls_passthrough' | 'tls_terminated_tcp_proxy' | 'http';
  /** Where a tcp_proxy sends connections, each cluster with its share. */
  upstreams: Array<{ cluster: string; share: number; target: string; provenance: ResourceRef[] }>;
  notes: string[];
  failure?: { stage: 'connection' | 'listener' | 'filter_chain'; message: string };
}

/** Parses `tls://host:port`, `tcp://host:port` or `host:port`; an error message otherwise. */
export function parseConnectionTarget(
  target: string,
): { host: string; port: number; tls: boolean } | { error: string } {
  const m = /^(?:(tls|tcp):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})\/?$/i.exec(target.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    return {
      error: `'${target}' is not a connection: write tls://HOST:PORT (TLS with SNI HOST) or tcp://HOST:PORT (cleartext), e.g. tls://db.example.com:8443`,
    };
  }
  return { host: m[2]!.replace(/^\[|\]$/g, ''), port, tls: m[1]?.toLowerCase() === 'tls' };
}

/**
 * Explains what Envoy does with one TCP connection: which listener and filter
 * chain take it (and why), whether TLS is terminated, passed through or not
 * spoken, and where a tcp_proxy sends the bytes. Pure; never throws for bad input.
 */
export function explainConnection(
  config: EnvoyModel | EnvoyConfigInput,
  connection: ExplainConnection,
): ConnectionExplanation {
  const model = 'listeners' in config ? config : buildEnvoyModel(config);
  const parsed = parseConnectionTarget(connection.target);
  if ('error' in parsed) {
    return {
      connection: { host: '', port: 0, tls: false },
      upstreams: [],
      notes: [],
      failure: { stage: 'connection', message: parsed.error },
    };
  }
  const isIp = /^[\d.]+$|:/.test(parsed.host);
  const sni = parsed.tls ? (connection.sni ?? (isIp ? undefined : parsed.host.toLowerCase())) : undefined;
  const out: ConnectionExplanation = {
    connection: { host: parsed.host, port: parsed.port, tls: parsed.tls, ...(sni ? { sni } : {}) },
    upstreams: [],
    notes: [...model.warnings],
  };
  const onPort = model.listeners.filter((l) => l.port === parsed.port);
  const listener: ListenerModel | undefined =
    onPort.find((l) => l.address === parsed.host) ??
    onPort.find((l) => l.address === '0.0.0.0' || l.address === '::') ??
    onPort[0];
  if (!listener) {
    const ports = [...new Set(model.listeners.map((l) => l.port))].sort((a, b) => a - b);
    out.failure = {
      stage: 'listener',
      message: `no listener on port ${parsed.port} (listeners: ${ports.join(', ') || 'none'})`,
    };
    return out;
  }
  out.listener = {
    name: listener.name,
    address: listener.address,
    port: listener.port,
    listenerFilters: listener.listenerFilters,
    provenance: listener.provenance,
  };
  const proxy = listener.listenerFilters.includes('proxy_protocol');
  if (proxy !== (connection.proxyProtocol === true)) {
    out.failure = {
      stage: 'listener',
      message: proxy
        ? `listener ${listener.name} expects a PROXY protocol header first; a client that sends none is disconnected`
        : `listener ${listener.name} does not expect a PROXY protocol header`,
    };
    return out;
  }
  if (parsed.tls && !listener.listenerFilters.includes('tls_inspector')) {
    out.notes.push(
      `listener ${listener.name} has no TLS inspector: Envoy does not read the SNI, so the connection is matched as raw bytes`,
    );
  }
  const selection = selectFilterChain(listener, {
    port: parsed.port,
    ...(parsed.tls ? { tls: { ...(sni ? { sni } : {}), alpn: [] } } : {}),
  });
  if (!selection.chain) {
    out.failure = { stage: 'filter_chain', message: selection.reason };
    return out;
  }
  const chain = selection.chain;
  out.filterChain = {
    index: chain.index,
    isDefault: chain.index < 0,
    reason: selection.reason,
    match: chain.match,
    ...(chain.name !== undefined ? { name: chain.name } : {}),
    ...(chain.tls ? { tls: chain.tls } : {}),
  };
  if (!parsed.tls && chain.tls) {
    out.failure = {
      stage: 'filter_chain',
      message: 'the selected filter chain terminates TLS but the client sent cleartext: the connection fails',
    };
    return out;
  }
  if (chain.hcm) {
    out.handling = 'http';
    out.notes.push(
      `this chain is HTTP (an HTTP connection manager): explain a request instead, e.g. attache explain 'GET ${parsed.tls ? 'https' : 'http'}://${sni ?? parsed.host}:${parsed.port}/'`,
    );
    return out;
  }
  if (!chain.tcpProxy) {
    out.failure = {
      stage: 'filter_chain',
      message: 'the selected filter chain has neither tcp_proxy nor HTTP',
    };
    return out;
  }
  out.handling = !parsed.tls ? 'tcp_proxy' : chain.tls ? 'tls_terminated_tcp_proxy' : 'tls_passthrough';
  const total = chain.tcpProxy.clusters.reduce((n, c) => n + c.weight, 0);
  for (const c of chain.tcpProxy.clusters) {
    const cluster = model.clusters.get(c.name);
    out.upstreams.push({
      cluster: c.name,
      share: total > 0 ? c.weight / total : 0,
      target: describeTarget(cluster),
      provenance: cluster?.provenance ?? [],
    });
  }
  return out;
}

/** A human-readable account of a ConnectionExplanation, one fact a line. */
export function formatConnectionExplanation(e: ConnectionExplanation): string {
  const lines: string[] = [];
  const c = e.connection;
  lines.push(
    `Connection   ${c.tls ? 'tls' : 'tcp'}://${c.host}:${c.port}  (${c.tls ? (c.sni ? `TLS, SNI ${c.sni}` : 'TLS, no SNI') : 'cleartext'})`,
  );
  if (e.listener) {
    const l = e.listener;
    const filters = l.listenerFilters.length > 0 ? `  listener filters: ${l.listenerFilters.join(', ')}` : '';
    lines.push(`Listener     ${l.name} on ${l.address}:${l.port}${refs(l.provenance)}${filters}`);
  }
  if (e.filterChain) {
    const f = e.filterChain;
    const label = f.isDefault ? 'default chain' : `chain #${f.index}${f.name ? ` ${f.name}` : ''}`;
    lines.push(`Filter chain ${label}, selected by ${f.reason}`);
  }
  switch (e.handling) {
    case 'tls_terminated_tcp_proxy':
      lines.push(
        `TLS          terminated by Envoy (certificate ${e.filterChain?.tls?.certificates.join(', ') || 'none'}); the decrypted stream goes upstream`,
      );
      break;
    case 'tls_passthrough':
      lines.push('TLS          passed through unopened: the client’s TLS session ends at the upstream');
      break;
    case 'tcp_proxy':
      lines.push('TCP          proxied as is');
      break;
    default:
      break;
  }
  for (const u of e.upstreams) {
    const share = e.upstreams.length > 1 ? ` (${Math.round(u.share * 1000) / 10}% of connections)` : '';
    lines.push(`Upstream     ${u.cluster} → ${u.target}${share}${refs(u.provenance)}`);
  }
  for (const note of e.notes) lines.push(`Note         ${note}`);
  if (e.failure) lines.push(`No upstream  ${e.failure.message}`);
  return `${lines.join('\n')}\n`;
}

function refs(provenance: readonly ResourceRef[]): string {
  return provenance.length > 0 ? `  (from ${provenance.map(formatRef).join(', ')})` : '';
}
