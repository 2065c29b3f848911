import { formatRef } from '@attache/core';
import type { ForwardAction, RouteOutcomeAction } from './actions.js';
import type { Explanation, Outcome, RouteEvaluation } from './explain.js';
import { stableStringify } from './json.js';

/** A human-readable account of an Explanation, one fact a line. */
export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const r = e.request;
  const query = r.query !== undefined ? `?${r.query}` : '';
  lines.push(
    `Request      ${r.method} ${r.scheme}://${r.authority}${r.path}${query}  (port ${r.port}, ${r.sni !== undefined ? `TLS, SNI ${r.sni}` : r.scheme === 'https' ? 'TLS, no SNI' : 'cleartext'}, x-forwarded-proto: ${r.forwardedProto})`,
  );
  if (e.deployment) lines.push(`Deployment   ${e.deployment.message}`);
  if (e.listener) {
    const l = e.listener;
    const filters = l.listenerFilters.length > 0 ? `  listener filters: ${l.listenerFilters.join(', ')}` : '';
    lines.push(`Listener     ${l.name} on ${l.address}:${l.port}${refs(l.provenance)}${filters}`);
  }
  if (e.filterChain) {
    const c = e.filterChain;
    const label = c.isDefault ? 'default chain' : `chain #${c.index}${c.name ? ` ${c.name}` : ''}`;
    lines.push(`Filter chain ${label}, selected by ${c.reason}`);
    if (c.tls) {
      const tls = c.tls;
      const parts = [`certificate ${tls.certificates.join(', ') || 'none'}`];
      if (tls.validationContext)
        parts.push(
          `client CA ${tls.validationContext}${tls.requireClientCertificate ? ' (client certificate required)' : ''}`,
        );
      if (tls.alpn.length > 0) parts.push(`ALPN ${tls.alpn.join(',')}`);
      if (tls.minVersion || tls.maxVersion)
        parts.push(`TLS ${tls.minVersion ?? 'auto'}..${tls.maxVersion ?? 'auto'}`);
      lines.push(`             TLS: ${parts.join('; ')}`);
    }
  }
  if (e.hcm) {
    lines.push(
      `HTTP filters ${e.hcm.httpFilters.map((f) => f.replace(/^envoy\.filters\.http\./, '')).join(' → ')}`,
    );
  }
  if (e.routeConfig)
    lines.push(
      `Routes       RouteConfiguration ${e.routeConfig.name || '(inline)'}${refs(e.routeConfig.provenance)}`,
    );
  if (e.virtualHost) {
    const v = e.virtualHost;
    lines.push(
      `Virtual host ${v.name} (domains: ${v.domains.join(', ')}), matched ${v.kind} ${v.matchedDomain}${refs(v.provenance)}`,
    );
  }
  const skipped = e.routes.filter((x) => !x.matched);
  if (skipped.length > 0 && skipped.length <= 12) {
    for (const s of skipped) lines.push(`  skipped    ${routeLabel(s)}: ${s.reason}`);
  } else if (skipped.length > 12) {
    lines.push(
      `  skipped    ${skipped.length} routes that do not match (first: ${routeLabel(skipped[0]!)}: ${skipped[0]!.reason})`,
    );
  }
  for (const o of e.outcomes) lines.push(...formatOutcome(o, e.outcomes.length > 1));
  for (const n of e.notes) lines.push(`Note         ${n}`);
  if (e.failure) lines.push(`Result       ${e.failure.message}`);
  return `${lines.join('\n')}\n`;
}

function refs(
  list: readonly { kind: string; name: string; namespace?: string; apiVersion: string }[],
): string {
  return list.length > 0 ? `  (from ${list.map(formatRef).join(', ')})` : '';
}

function routeLabel(r: Pick<RouteEvaluation, 'index' | 'name' | 'provenance'>): string {
  const from = r.provenance.length > 0 ? ` (${r.provenance.map(formatRef).join(', ')})` : '';
  return `route #${r.index}${r.name ? ` ${r.name}` : ''}${from}`;
}

function formatOutcome(o: Outcome, split: boolean): string[] {
  const share = split ? ` [${Math.round(o.probability * 10000) / 100}% of requests]` : '';
  const head = o.route ? `Route        ${routeLabel(o.route)}${share}` : `Route        none${share}`;
  return [head, ...formatAction(o.action).map((l) => `             ${l}`)];
}

export function formatAction(a: RouteOutcomeAction): string[] {
  switch (a.kind) {
    case 'no_route':
      return ['no route matches: Envoy answers 404'];
    case 'redirect':
      return [`redirect ${a.status} to ${a.location}`];
    case 'direct_response':
      return [
        `direct response ${a.status}${a.body !== undefined ? ` with body ${JSON.stringify(a.body)}` : ''}`,
      ];
    case 'forward':
      return formatForward(a);
  }
}

/** A route's max_stream_duration in words: how a gRPC client's grpc-timeout is treated. */
function grpcDeadlineLine(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  const bits: string[] = [];
  if (typeof m.max_stream_duration === 'string') bits.push(`stream ends after ${m.max_stream_duration}`);
  if (typeof m.grpc_timeout_header_max === 'string') {
    const cap =
      Number.parseFloat(m.grpc_timeout_header_max) === 0
        ? 'no cap'
        : `capped at ${m.grpc_timeout_header_max}`;
    const offset =
      typeof m.grpc_timeout_header_offset === 'string' ? `, minus ${m.grpc_timeout_header_offset}` : '';
    bits.push(`gRPC: the client's grpc-timeout ends the call (DEADLINE_EXCEEDED; ${cap}${offset})`);
  }
  return bits.length > 0 ? `max stream duration: ${bits.join('; ')}` : undefined;
}

function formatForward(a: ForwardAction): string[] {
  const out: string[] = [];
  for (const c of a.clusters) {
    const weight = a.clusters.length > 1 ? ` (${Math.round(c.share * 10000) / 100}%)` : '';
    out.push(`forward to cluster ${c.name}${weight}: ${c.target}`);
    const cl = c.cluster;
    if (cl) {
      const bits = [`lb ${cl.lbPolicy}`];
      if (cl.connectTimeoutMs !== undefined) bits.push(`connect timeout ${cl.connectTimeoutMs}ms`);
      if (cl.http2) bits.push('HTTP/2');
      if (cl.tls) bits.push(`TLS origination${cl.tls.sni ? ` (SNI ${cl.tls.sni})` : ''}`);
      out.push(`  ${bits.join(', ')}`);
    }
  }
  out.push(
    `upstream request ${a.authority} ${a.path}${a.pathRewrite ? ` (rewritten: ${a.pathRewrite})` : ''}`,
  );
  if (a.hostRewrite) out.push(a.hostRewrite);
  out.push(
    `timeout ${a.timeoutMs === 0 ? 'disabled' : `${a.timeoutMs}ms`}${a.idleTimeoutMs !== undefined ? `, idle timeout ${a.idleTimeoutMs}ms` : ''}`,
  );
  if (a.retryPolicy) out.push(`retries ${stableStringify(a.retryPolicy)}`);
  const grpcDeadline = grpcDeadlineLine(a.other.max_stream_duration);
  if (grpcDeadline) out.push(grpcDeadline);
  for (const h of a.requestHeadersToAdd)
    out.push(`request header ${h.key}: ${h.value} (${h.action}, ${h.level})`);
  if (a.requestHeadersToRemove.length > 0)
    out.push(`request headers removed: ${a.requestHeadersToRemove.join(', ')}`);
  for (const h of a.responseHeadersToAdd)
    out.push(`response header ${h.key}: ${h.value} (${h.action}, ${h.level})`);
  if (a.responseHeadersToRemove.length > 0)
    out.push(`response headers removed: ${a.responseHeadersToRemove.join(', ')}`);
  if (a.cors) out.push(`CORS ${stableStringify(a.cors)}`);
  for (const m of a.mirrors)
    out.push(`mirror ${Math.round(m.fraction * 10000) / 100}% to ${m.cluster}: ${m.target}`);
  if (a.hashPolicy.length > 0) out.push(`hash policy ${stableStringify(a.hashPolicy)}`);
  if (a.upgrades.length > 0) out.push(`upgrades allowed: ${a.upgrades.join(', ')}`);
  return out;
}
