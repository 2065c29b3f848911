import {
  compareStrings,
  EdgeListenersExt,
  type EdgeListenerView,
  type IRFilterChain,
  type IRListener,
  type IRTcpFilterChain,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  readExt,
  type ServiceGrant,
  ServiceGrantsExt,
  type TlsTerminationGrant,
  TlsTerminationGrantsExt,
} from '@attache/core';
import { TcpMappingsExt, type TcpMappingsFacts } from './ingest.js';
import type { TcpMappingConfig } from './read-tcpmapping.js';
import { groupShares } from './weights.js';

/** TCPMappings sharing an address, port and host: one filter chain, its clusters weighted. */
interface TcpGroup {
  address: string;
  port: number;
  host?: string;
  members: Array<{ config: TcpMappingConfig; cluster: string; terminationRequest?: string }>;
}

const refName = (ref: ResourceRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/**
 * Puts each TCPMapping group on a listener, as Emissary's listener synthesis
 * does (irlistener.py, v3listener.py compute_tcpchains / finalize_tcp):
 * - on a port an HTTP listener serves, a group with a host becomes a TLS
 *   filter chain beside the HTTP ones, chosen by SNI (a TCPMapping without
 *   host there is a conflict);
 * - on a port with a TCP-only Listener, or none (then one is made), each group
 *   becomes a chain: without host it takes every connection, with host the
 *   TLS connections asking for that SNI.
 * A host group terminates TLS when a Host or TLSContext serves the name, and
 * passes TLS through to the service otherwise.
 */
export function attachTcpMappings(ctx: PassContext): void {
  const facts = readExt(ctx.ir, TcpMappingsExt);
  if (!facts || facts.mappings.length === 0) return;
  const grants = readExt(ctx.ir, ServiceGrantsExt);
  if (!grants) {
    for (const { config } of facts.mappings) {
      ctx.report({
        code: 'TCPMAPPING_NO_HTTP_MODEL',
        resource: config.ref,
        path: '/spec/service',
        message:
          'no plugin resolves services in this distribution (the http plugin is not loaded), so this TCPMapping has no cluster and is not served; load the http plugin',
      });
    }
    return;
  }
  const terminations = readExt(ctx.ir, TlsTerminationGrantsExt) ?? {};
  const views = readExt(ctx.ir, EdgeListenersExt) ?? [];
  const tcpListeners = tcpOnlyListeners(ctx, views);
  const httpViews = new Map(views.filter((v) => v.http).map((v) => [v.port, v]));

  const byBind = new Map<string, TcpGroup[]>();
  for (const group of groupsOf(ctx, facts.mappings, grants)) {
    const key = `${group.address}:${group.port}`;
    const list = byBind.get(key);
    if (list) list.push(group);
    else byBind.set(key, [group]);
  }
  const irByBind = new Map<string, string>();
  for (const [name, l] of Object.entries(ctx.ir.listeners)) irByBind.set(`${l.address}:${l.port}`, name);

  for (const [bind, groups] of byBind) {
    const existing = irByBind.get(bind);
    if (existing !== undefined) {
      joinHttpListener(ctx, existing, groups, terminations, httpViews.get(groups[0]!.port));
    } else {
      makeTcpListener(ctx, groups, terminations, tcpListeners.get(bind));
    }
  }
}

/** TCP-only Listener resources by address:port; one on a port an HTTP Listener has is a conflict. */
function tcpOnlyListeners(
  ctx: PassContext,
  views: readonly EdgeListenerView[],
): Map<string, EdgeListenerView> {
  const httpPorts = new Map(views.filter((v) => v.http).map((v) => [v.port, v]));
  const out = new Map<string, EdgeListenerView>();
  for (const view of views) {
    if (view.http || view.protocolStack.includes('UDP')) continue;
    const other = httpPorts.get(view.port) ?? out.get(`${view.address}:${view.port}`);
    if (other) {
      ctx.report({
        code: 'TCPMAPPING_LISTENER_PORT_CONFLICT',
        resource: view.ref,
        path: '/spec/port',
        message: `port ${view.port} is already used by ${refName(other.ref)}; this TCP Listener is ignored (TCPMappings on that port use ${refName(other.ref)}); pick another port or delete one of them`,
      });
      continue;
    }
    out.set(`${view.address}:${view.port}`, view);
  }
  return out;
}

/** Groups by address, port and host; checks that a group agrees and its weights add up. */
function groupsOf(
  ctx: PassContext,
  mappings: TcpMappingsFacts['mappings'],
  grants: Readonly<Record<string, ServiceGrant>>,
): TcpGroup[] {
  const groups = new Map<string, TcpGroup>();
  for (const { config, serviceRequest, terminationRequest } of mappings) {
    const grant = grants[serviceRequest];
    // Refused: the resolver reported why on the TCPMapping.
    if (!grant || !('cluster' in grant)) continue;
    const key = `${config.address}|${config.port}|${config.host ?? ''}`;
    let group = groups.get(key);
    if (!group) {
      group = { address: config.address, port: config.port, members: [] };
      if (config.host !== undefined) group.host = config.host;
      groups.set(key, group);
    }
    const first = group.members[0]?.config;
    if (first && first.idleTimeoutMs !== config.idleTimeoutMs) {
      ctx.report({
        code: 'TCPMAPPING_GROUP_MISMATCH',
        resource: config.ref,
        path: '/spec/idle_timeout_ms',
        message: `${refName(first.ref)} shares port ${config.port}${config.host ? ` and host ${config.host}` : ''} with this TCPMapping and one filter chain, but sets idle_timeout_ms ${first.idleTimeoutMs ?? '(unset)'}; this one (${config.idleTimeoutMs ?? 'unset'}) is ignored; make them equal`,
      });
      continue;
    }
    const member: TcpGroup['members'][number] = { config, cluster: grant.cluster };
    if (terminationRequest !== undefined) member.terminationRequest = terminationRequest;
    group.members.push(member);
  }
  const out: TcpGroup[] = [];
  for (const group of groups.values()) {
    // Weighted members first (by namespace/name), then the others: Emissary's order.
    group.members.sort(
      (a, b) =>
        Number(a.config.weight === undefined) - Number(b.config.weight === undefined) ||
        compareStrings(a.config.namespace, b.config.namespace) ||
        compareStrings(a.config.name, b.config.name),
    );
    const where = `port ${group.port}${group.host ? ` with host ${group.host}` : ''}${group.address !== '0.0.0.0' ? ` on ${group.address}` : ''}`;
    const shares = groupShares(group.members.map((m) => m.config.weight));
    if (shares === undefined || shares.every((share) => share === 0)) {
      for (const m of group.members) {
        ctx.report({
          code: 'TCPMAPPING_WEIGHTS_INVALID',
          resource: m.config.ref,
          path: '/spec/weight',
          message: `the weights of the TCPMappings on ${where} (${group.members.map((o) => `${o.config.namespace}/${o.config.name}: ${o.config.weight ?? 'none'}`).join(', ')}) add up to ${shares ? '0, so no connection would go anywhere' : 'more than 100'}; none of them is served until they add up to between 1 and 100`,
        });
      }
      continue;
    }
    if (group.members.length > 1 && group.members.every((m) => m.config.weight === undefined)) {
      const [first, ...rest] = group.members;
      for (const m of rest) {
        ctx.report({
          code: 'TCPMAPPING_SHARED_WITHOUT_WEIGHTS',
          resource: m.config.ref,
          path: '/spec/port',
          message: `${refName(first!.config.ref)} also claims ${where}, and neither has a weight: connections are split evenly between them; give each a weight, or another port or host`,
        });
      }
    }
    out.push(group);
  }
  return out.sort(
    (a, b) =>
      a.port - b.port || compareStrings(a.address, b.address) || compareStrings(a.host ?? '', b.host ?? ''),
  );
}

/** The chain of one group, or undefined when its TLS termination is refused (reported). */
function chainOf(
  ctx: PassContext,
  group: TcpGroup,
  statPrefix: string,
  terminations: Readonly<Record<string, TlsTerminationGrant>>,
  extraProvenance: readonly ResourceRef[],
): IRTcpFilterChain | undefined {
  const shares = groupShares(group.members.map((m) => m.config.weight))!;
  const weights = new Map<string, number>();
  group.members.forEach((m, i) => {
    if (shares[i]! > 0) weights.set(m.cluster, (weights.get(m.cluster) ?? 0) + shares[i]!);
  });
  const first = group.members[0]!.config;
  const chain: IRTcpFilterChain = {
    kind: 'tcp',
    name: `tcpmapping/${first.namespace}/${first.name}`,
    match: {},
    statPrefix,
    clusters: [...weights].map(([cluster, weight]) => ({ cluster, weight })),
    provenance: mergeProvenance(
      extraProvenance,
      group.members.map((m) => m.config.ref),
    ),
  };
  if (first.idleTimeoutMs !== undefined) chain.idleTimeoutMs = first.idleTimeoutMs;
  if (group.host === undefined) return chain;
  chain.match =
    group.host === '*'
      ? { transportProtocol: 'tls' }
      : { serverNames: [group.host], transportProtocol: 'tls' };
  const grant = terminations[group.members[0]!.terminationRequest ?? ''] ?? { none: true };
  if ('tls' in grant) {
    chain.tls = grant.tls;
    chain.provenance = mergeProvenance(chain.provenance, [grant.source]);
  } else if ('refused' in grant) {
    for (const m of group.members) {
      ctx.report({
        code: 'TCPMAPPING_TLS_TERMINATION_REFUSED',
        resource: m.config.ref,
        path: '/spec/host',
        message: `${refName(grant.source)} would terminate TLS for ${group.host} but its certificate cannot be used (see its own diagnostic); this TCPMapping is not served until that is fixed`,
      });
    }
    return undefined;
  } else {
    for (const m of group.members) {
      ctx.report({
        code: 'TCPMAPPING_TLS_PASSTHROUGH',
        resource: m.config.ref,
        path: '/spec/host',
        message: `no Host or TLSContext serves ${group.host}, so TLS connections for it on port ${group.port} are passed through unopened to ${m.config.service} (which must terminate TLS itself); add a TLSContext listing ${group.host} to terminate here instead`,
      });
      if (m.config.tls !== undefined || /^https:\/\//i.test(m.config.service)) {
        ctx.report({
          code: 'TCPMAPPING_PASSTHROUGH_ORIGINATES_TLS',
          resource: m.config.ref,
          path: m.config.tls !== undefined ? '/spec/tls' : '/spec/service',
          message: `${group.host} is passed through (nothing terminates it here) and this TCPMapping also originates TLS to ${m.config.service}, so the client's TLS session travels inside a second one; tls is TLS to the service, as in Emissary: to end the client's TLS at Envoy, add a TLSContext listing ${group.host}, else drop ${m.config.tls !== undefined ? 'tls' : 'https://'}`,
        });
      }
    }
  }
  return chain;
}

/** TCPMapping groups beside the HTTP filter chains of an existing listener, chosen by SNI. */
function joinHttpListener(
  ctx: PassContext,
  name: string,
  groups: readonly TcpGroup[],
  terminations: Readonly<Record<string, TlsTerminationGrant>>,
  view: EdgeListenerView | undefined,
): void {
  const listener = ctx.ir.listeners[name]!;
  const owner = view ? refName(view.ref) : `listener ${name}`;
  let filterChains: IRFilterChain[] = [...listener.filterChains];
  const added: IRTcpFilterChain[] = [];
  for (const group of groups) {
    if (group.host === undefined) {
      for (const m of group.members) {
        ctx.report({
          code: 'TCPMAPPING_HTTP_PORT_WITHOUT_HOST',
          resource: m.config.ref,
          path: '/spec/host',
          message: `port ${group.port} is served by ${owner} (HTTP); a TCPMapping without host there would take every connection from its Hosts, so it is ignored; set host to the SNI name this TCPMapping serves, or use another port`,
        });
      }
      continue;
    }
    const chain = chainOf(
      ctx,
      group,
      view?.statsPrefix ?? `ingress_tls_${group.port}`,
      terminations,
      view ? [view.ref] : [],
    );
    if (!chain) continue;
    // Emissary gives TCPMappings precedence over Hosts for one SNI name.
    filterChains = filterChains.flatMap((other) => {
      if (other.kind !== 'http' || other.match.transportProtocol !== 'tls') return [other];
      const names = other.match.serverNames ?? [];
      const clash = group.host === '*' ? names.length === 0 : names.includes(group.host!);
      if (!clash) return [other];
      const host = other.provenance.find((r) => r.kind === 'Host');
      for (const m of group.members) {
        ctx.report({
          code: 'TCPMAPPING_SNI_CONFLICT',
          resource: m.config.ref,
          path: '/spec/host',
          message: `${host ? refName(host) : 'a Host'} also terminates TLS for ${group.host} on port ${group.port} (${owner}); this TCPMapping takes those connections, so the Host is not reachable there by that name; give one of them another name or port`,
        });
      }
      const rest = names.filter((n) => n !== group.host);
      if (group.host === '*' || rest.length === 0) return [];
      return [{ ...other, match: { ...other.match, serverNames: rest } }];
    });
    added.push(chain);
  }
  if (added.length === 0) return;
  const listenerFilters = listener.listenerFilters.includes('tls_inspector')
    ? listener.listenerFilters
    : [...listener.listenerFilters, 'tls_inspector' as const];
  ctx.ir.listeners[name] = {
    ...listener,
    listenerFilters,
    filterChains: [...filterChains, ...added],
    provenance: mergeProvenance(listener.provenance, ...added.map((c) => c.provenance)),
  };
}

/** A listener of its own for TCPMapping groups: the TCP Listener on that port, or one made up as Emissary does. */
function makeTcpListener(
  ctx: PassContext,
  groups: readonly TcpGroup[],
  terminations: Readonly<Record<string, TlsTerminationGrant>>,
  view: EdgeListenerView | undefined,
): void {
  const { address, port } = groups[0]!;
  const anyHost = groups.some((g) => g.host !== undefined);
  const stack = view ? view.protocolStack : anyHost ? ['TLS', 'TCP'] : ['TCP'];
  const tlsLayer = stack.includes('TLS');
  const statPrefix = view?.statsPrefix ?? (tlsLayer ? `ingress_tls_${port}` : `ingress_tcp_${port}`);
  const chains: IRTcpFilterChain[] = [];
  for (const group of groups) {
    if (group.host !== undefined && !tlsLayer) {
      for (const m of group.members) {
        ctx.report({
          code: 'TCPMAPPING_LISTENER_NOT_TLS',
          resource: m.config.ref,
          path: '/spec/host',
          message: `${view ? refName(view.ref) : 'the Listener'} on port ${port} has no TLS layer (protocolStack [${stack.join(', ')}]), so the SNI name ${group.host} cannot be read there and this TCPMapping is ignored; use protocol: TLS on that Listener, or remove host`,
        });
      }
      continue;
    }
    const chain = chainOf(ctx, group, statPrefix, terminations, view ? [view.ref] : []);
    if (chain) chains.push(chain);
  }
  if (chains.length === 0) return;
  const listenerFilters: IRListener['listenerFilters'] = [];
  for (const layer of stack) {
    if (layer === 'PROXY') listenerFilters.push('proxy_protocol');
    if (layer === 'TLS') listenerFilters.push('tls_inspector');
  }
  const name = view ? `${view.ref.namespace ?? 'default'}/${view.ref.name}` : `tcp-${address}-${port}`;
  const listener: IRListener = {
    name,
    address,
    port,
    listenerFilters,
    filterChains: chains,
    provenance: mergeProvenance(view ? [view.ref] : [], ...chains.map((c) => c.provenance)),
  };
  if (view?.statsPrefix) listener.statsPrefix = view.statsPrefix;
  ctx.ir.listeners[name] = listener;
}
