import type { ResourceRef } from '@attache/core';
import { type RoutedRequest, type RouteOutcomeAction, routeAction } from './actions.js';
import { authNote } from './auth.js';
import { buildEnvoyModel, type EnvoyConfigInput } from './build-model.js';
import { errorResponsesNote } from './error-responses.js';
import { num, unwrap } from './json.js';
import type { DownstreamTlsModel, EnvoyModel, FilterChainMatchModel, ListenerModel } from './model.js';
import { normalisePath } from './path-normalisation.js';
import { rateLimitNote } from './rate-limits.js';
import { type ExplainRequest, type RequestFacts, requestFacts, servicePortTargets } from './request.js';
import { matchRoute } from './route-match.js';
import { selectFilterChain } from './select-filter-chain.js';
import { portOf, selectVirtualHost, stripPort } from './select-virtual-host.js';
import { applyServerHeader } from './server-header.js';

export type FailureStage =
  | 'request'
  | 'listener'
  | 'filter_chain'
  | 'route_config'
  | 'virtual_host'
  | 'route';

export interface RouteEvaluation {
  index: number;
  name?: string;
  provenance: ResourceRef[];
  matched: boolean;
  /** Why it did not match; or, for a weighted route, the share it takes. */
  reason: string;
}

export interface Outcome {
  /** Share of such requests that end here (runtime fractions split requests). */
  probability: number;
  route?: { index: number; name?: string; provenance: ResourceRef[] };
  action: RouteOutcomeAction;
}

export interface Explanation {
  request: {
    method: string;
    scheme: string;
    port: number;
    sni?: string;
    /** As the router sees them, after the connection manager. */
    authority: string;
    path: string;
    query?: string;
    forwardedProto: string;
  };
  listener?: {
    name: string;
    address: string;
    port: number;
    provenance: ResourceRef[];
    listenerFilters: string[];
  };
  filterChain?: {
    index: number;
    name?: string;
    isDefault: boolean;
    reason: string;
    match: FilterChainMatchModel;
    tls?: DownstreamTlsModel;
  };
  /** The HTTP connection manager of the chain: its filters in order and its behaviour settings. */
  hcm?: { httpFilters: string[]; settings: Record<string, unknown> };
  routeConfig?: { name: string; provenance: ResourceRef[] };
  virtualHost?: {
    name: string;
    domains: string[];
    matchedDomain: string;
    kind: string;
    provenance: ResourceRef[];
  };
  /** Every route tried, in order, up to the one that takes all remaining requests. */
  routes: RouteEvaluation[];
  outcomes: Outcome[];
  /**
   * Set when the URL named no port and the request was sent the usual way: through a
   * Service port (80/443) that forwards to Envoy's listener (8080/8443). Says so.
   */
  deployment?: { servicePort: number; listenerPort: number; message: string };
  /** What the connection manager changed, and other things worth knowing. */
  notes: string[];
  /** Set when the request never reaches a route (or no route takes it). */
  failure?: { stage: FailureStage; message: string };
}

/** Explains what Envoy does with one request. Pure; never throws for bad input. */
export function explainRequest(config: EnvoyModel | EnvoyConfigInput, request: ExplainRequest): Explanation {
  const model = 'listeners' in config ? config : buildEnvoyModel(config);
  const facts = requestFacts(request);
  if ('error' in facts) {
    return {
      request: {
        method: request.method ?? 'GET',
        scheme: '',
        port: 0,
        authority: '',
        path: '',
        forwardedProto: '',
      },
      routes: [],
      outcomes: [],
      notes: [],
      failure: { stage: 'request', message: facts.error },
    };
  }
  const deployment = connectionPort(model.listeners, facts, request.listenerPort);
  facts.port = deployment.port;
  const out: Explanation = {
    request: {
      method: facts.method,
      scheme: facts.scheme,
      port: facts.port,
      authority: facts.headers.get(':authority') ?? '',
      path: facts.path,
      forwardedProto: facts.headers.get('x-forwarded-proto') ?? facts.scheme,
    },
    routes: [],
    outcomes: [],
    notes: [...model.warnings],
  };
  if (facts.tls?.sni) out.request.sni = facts.tls.sni;
  if (facts.query !== undefined) out.request.query = facts.query;
  if (deployment.servicePort !== undefined) {
    out.deployment = {
      servicePort: deployment.servicePort,
      listenerPort: facts.port,
      message: `the URL names no port: modelled the usual deployment, a Service forwarding port ${deployment.servicePort} to Envoy's listener on ${facts.port}, with the Host header ${out.request.authority} (no port); a port in the URL, or the listener port given explicitly (attache explain --listener PORT), models another`,
    };
  }

  const listener = pickListener(model.listeners, facts.port);
  if (!listener) {
    const ports = [...new Set(model.listeners.map((l) => l.port))].sort((a, b) => a - b);
    const target = facts.explicitPort ? undefined : servicePortTargets[facts.port];
    const usual =
      target !== undefined && request.listenerPort === undefined
        ? `, nor on ${target}, where a Service usually forwards port ${facts.port}`
        : '';
    return fail(
      out,
      'listener',
      `no listener on port ${facts.port}${usual} (listeners: ${ports.join(', ') || 'none'})`,
    );
  }
  out.listener = {
    name: listener.name,
    address: listener.address,
    port: listener.port,
    provenance: listener.provenance,
    listenerFilters: listener.listenerFilters,
  };
  if (listener.listenerFilters.includes('proxy_protocol') && !facts.proxyProtocol) {
    return fail(
      out,
      'listener',
      `listener ${listener.name} expects a PROXY protocol header first; a client that sends none is disconnected`,
    );
  }
  if (!listener.listenerFilters.includes('proxy_protocol') && facts.proxyProtocol) {
    return fail(
      out,
      'listener',
      `listener ${listener.name} does not expect a PROXY protocol header; the request is malformed`,
    );
  }

  const selection = selectFilterChain(listener, {
    port: facts.port,
    ...(facts.tls ? { tls: facts.tls } : {}),
  });
  if (!selection.chain) return fail(out, 'filter_chain', selection.reason);
  const chain = selection.chain;
  out.filterChain = {
    index: chain.index,
    isDefault: chain.index < 0,
    reason: selection.reason,
    match: chain.match,
  };
  if (chain.name !== undefined) out.filterChain.name = chain.name;
  if (chain.tls) out.filterChain.tls = chain.tls;
  if (facts.tls && !chain.tls) {
    return fail(
      out,
      'filter_chain',
      'the client speaks TLS but the selected filter chain is cleartext: the handshake fails',
    );
  }
  if (!facts.tls && chain.tls) {
    return fail(
      out,
      'filter_chain',
      'the selected filter chain terminates TLS but the client sent cleartext: the connection fails',
    );
  }
  if (!chain.hcm) {
    const tcp = chain.tcpProxy
      ? `TCP proxy to ${chain.tcpProxy.clusters.map((c) => c.name).join(', ')}`
      : 'no HTTP connection manager';
    return fail(out, 'filter_chain', `the selected filter chain is not HTTP (${tcp})`);
  }
  const hcm = chain.hcm;
  out.hcm = { httpFilters: hcm.httpFilters.map((f) => f.name), settings: hcm.settings };

  const routed = applyConnectionManager(facts, listener, hcm.settings, out.notes);
  out.request.authority = routed.authority;
  out.request.path = routed.path;
  out.request.forwardedProto = routed.forwardedProto;

  const rc = hcm.routeConfig;
  if (!rc) {
    return fail(
      out,
      'route_config',
      hcm.rdsName !== undefined
        ? `RouteConfiguration ${hcm.rdsName} (named by RDS) does not exist`
        : 'the connection manager has no route configuration',
    );
  }
  out.routeConfig = { name: rc.name, provenance: rc.provenance };

  const vs = selectVirtualHost(rc, routed.authority);
  if (!vs.vhost) {
    const withoutPort = stripPort(routed.authority);
    const retry = withoutPort !== routed.authority ? selectVirtualHost(rc, withoutPort) : undefined;
    if (retry?.vhost) {
      out.notes.push(
        `without the port, ${withoutPort} would select virtual host ${retry.vhost.name}: clients that reach Envoy on the scheme's default port (e.g. through a load balancer) send no port; try -H 'host: ${withoutPort}'`,
      );
    }
    return fail(out, 'virtual_host', vs.reason);
  }
  const vhost = vs.vhost;
  out.virtualHost = {
    name: vhost.name,
    domains: vhost.domains,
    matchedDomain: vs.domain,
    kind: vs.kind,
    provenance: vhost.provenance,
  };

  if (vhost.requireTls && !facts.tls) {
    out.outcomes.push({
      probability: 1,
      action: {
        kind: 'redirect',
        status: 301,
        location: `https://${stripPort(routed.authority)}${routed.path}${routed.query !== undefined ? `?${routed.query}` : ''}`,
      },
    });
    out.notes.push(
      `virtual host ${vhost.name} requires TLS (${vhost.requireTls}): cleartext requests are redirected`,
    );
    return out;
  }

  const headers = new Map(routed.headers);
  // Envoy draws one random number per request; a route with runtime_fraction f takes the requests
  // whose draw is below f. Requests still unrouted are those with draw in [low, 1).
  let low = 0;
  for (const route of vhost.routes) {
    const result = matchRoute(route.match, {
      path: routed.path,
      ...(routed.query !== undefined ? { query: routed.query } : {}),
      headers,
    });
    const evaluation: RouteEvaluation = {
      index: route.index,
      provenance: route.provenance,
      matched: result.matched,
      reason: '',
    };
    if (route.name !== undefined) evaluation.name = route.name;
    out.routes.push(evaluation);
    if (!result.matched) {
      evaluation.reason = result.reason;
      continue;
    }
    const share = Math.max(0, result.fraction - low);
    evaluation.reason =
      result.fraction >= 1
        ? 'matched'
        : `matched for ${percent(share)} of requests (runtime fraction ${percent(result.fraction)} cumulative)`;
    if (share > 0) {
      const outcome: Outcome = {
        probability: Math.min(share, 1 - low),
        route: { index: route.index, provenance: route.provenance },
        action: routeAction(model, rc, vhost, route, routed),
      };
      if (route.name !== undefined) outcome.route!.name = route.name;
      if (outcome.action.kind === 'forward') applyServerHeader(outcome.action, hcm.settings, out.notes);
      out.outcomes.push(outcome);
      low = Math.max(low, result.fraction);
    }
    if (low >= 1) break;
  }
  for (const route of vhost.routes) {
    if (!out.outcomes.some((o) => o.route?.index === route.index)) continue;
    const note = errorResponsesNote(hcm, route);
    if (note) out.notes.push(`route #${route.index}${route.name ? ` ${route.name}` : ''}: ${note}`);
    const auth = authNote(hcm, vhost, route, model.clusters);
    if (auth) out.notes.push(`route #${route.index}${route.name ? ` ${route.name}` : ''}: ${auth}`);
    const limits = rateLimitNote(hcm, vhost, route, headers);
    if (limits) out.notes.push(`route #${route.index}${route.name ? ` ${route.name}` : ''}: ${limits}`);
  }
  if (low < 1) {
    const note = errorResponsesNote(hcm);
    if (note) out.notes.push(`without a route: ${note}`);
    out.outcomes.push({ probability: 1 - low, action: { kind: 'no_route', status: 404 } });
    if (low === 0) {
      const first = out.routes[0];
      return fail(
        out,
        'route',
        `no route in virtual host ${vhost.name} matches ${routed.path}${first ? ` (first route: ${first.reason})` : ' (it has no routes)'}; Envoy answers 404`,
      );
    }
  }
  return out;
}

function fail(out: Explanation, stage: FailureStage, message: string): Explanation {
  out.failure = { stage, message };
  return out;
}

function percent(x: number): string {
  return `${Math.round(x * 10000) / 100}%`;
}

/**
 * The port the connection reaches Envoy on: the one given, the URL's own, or — for a
 * URL without a port, when Envoy has no listener on 80/443 but one on 8080/8443 — the
 * listener a Service would forward the scheme's port to.
 */
function connectionPort(
  listeners: readonly ListenerModel[],
  facts: RequestFacts,
  given: number | undefined,
): { port: number; servicePort?: number } {
  if (given !== undefined) return { port: given };
  if (facts.explicitPort || listeners.some((l) => l.port === facts.port)) return { port: facts.port };
  const target = servicePortTargets[facts.port];
  if (target === undefined || !listeners.some((l) => l.port === target)) return { port: facts.port };
  return { port: target, servicePort: facts.port };
}

/** A specific address is preferred over a wildcard one on the same port. */
function pickListener(listeners: readonly ListenerModel[], port: number): ListenerModel | undefined {
  const onPort = listeners.filter((l) => l.port === port);
  return onPort.find((l) => l.address === '0.0.0.0' || l.address === '::') ?? onPort[0];
}

interface Routed extends RoutedRequest {
  headers: Map<string, string>;
}

/** What the HTTP connection manager does before routing: x-forwarded-proto, path normalisation, host port stripping. */
function applyConnectionManager(
  facts: RequestFacts,
  listener: ListenerModel,
  settings: Record<string, unknown>,
  notes: string[],
): Routed {
  const headers = new Map(facts.headers);
  const connectionScheme = facts.tls ? 'https' : 'http';
  const trustedHops = num(unwrap(settings.xff_num_trusted_hops)) ?? 0;
  const useRemote = unwrap(settings.use_remote_address) === true;
  const givenXfp = headers.get('x-forwarded-proto');
  if (useRemote && trustedHops === 0) {
    if (facts.explicitForwardedProto && givenXfp !== connectionScheme) {
      notes.push(
        `x-forwarded-proto ${givenXfp} replaced by ${connectionScheme}: use_remote_address with no trusted hops means Envoy sets it from the connection`,
      );
    }
    headers.set('x-forwarded-proto', connectionScheme);
  }
  let path = facts.path;
  const normalise = unwrap(settings.normalize_path) === true;
  const merge = unwrap(settings.merge_slashes) === true;
  const normalised = normalisePath(path, normalise, merge);
  if (normalised !== path) {
    notes.push(`path normalised from ${path} to ${normalised}`);
    path = normalised;
  }
  let authority = headers.get(':authority') ?? '';
  const port = portOf(authority);
  const stripAny = unwrap(settings.strip_any_host_port) === true;
  const stripMatching = unwrap(settings.strip_matching_host_port) === true;
  if (port !== undefined && (stripAny || (stripMatching && port === listener.port))) {
    notes.push(
      `port stripped from host ${authority} (${stripAny ? 'strip_any_host_port' : 'strip_matching_host_port'})`,
    );
    authority = stripPort(authority);
    headers.set(':authority', authority);
  }
  const routed: Routed = {
    scheme: facts.scheme,
    authority,
    path,
    forwardedProto: headers.get('x-forwarded-proto') ?? connectionScheme,
    headers,
  };
  headers.set(':path', facts.query !== undefined ? `${path}?${facts.query}` : path);
  if (facts.query !== undefined) routed.query = facts.query;
  return routed;
}
