import type { FilterChainModel, ListenerModel } from './model.js';

export interface ConnectionFacts {
  port: number;
  /** Present when the client speaks TLS. */
  tls?: { sni?: string; alpn: string[] };
}

export type ChainSelection =
  | { chain: FilterChainModel; reason: string }
  | { chain: undefined; reason: string };

/**
 * Envoy's filter chain match, in its order of criteria: destination port,
 * server name (exact, then the longest wildcard), transport protocol,
 * application protocols; at each step the most specific candidates win and
 * the ones that leave the field empty are the fallback. No match → the
 * default filter chain, or the connection is closed.
 */
export function selectFilterChain(listener: ListenerModel, conn: ConnectionFacts): ChainSelection {
  const inspects = listener.listenerFilters.includes('tls_inspector');
  // Without the TLS inspector Envoy learns neither SNI nor ALPN, and the transport stays raw_buffer.
  const sni = inspects ? conn.tls?.sni : undefined;
  const transport = inspects && conn.tls ? 'tls' : 'raw_buffer';
  const alpn = inspects && conn.tls ? conn.tls.alpn : [];
  const reasons: string[] = [];

  let candidates = listener.filterChains;
  const byPort = candidates.filter((c) => c.match.destinationPort === conn.port);
  candidates = byPort.length > 0 ? byPort : candidates.filter((c) => c.match.destinationPort === undefined);

  const withNames = candidates.filter((c) => c.match.serverNames.length > 0);
  let named: FilterChainModel[] = [];
  if (sni !== undefined) {
    named = withNames.filter((c) => c.match.serverNames.some((n) => n.toLowerCase() === sni));
    if (named.length > 0) reasons.push(`server name ${sni}`);
    else {
      // '*.b.c' before '*.c': walk up the name.
      const labels = sni.split('.');
      for (let i = 1; i < labels.length && named.length === 0; i++) {
        const wildcard = `*.${labels.slice(i).join('.')}`;
        named = withNames.filter((c) => c.match.serverNames.some((n) => n.toLowerCase() === wildcard));
        if (named.length > 0) reasons.push(`server name ${wildcard}`);
      }
    }
  }
  candidates = named.length > 0 ? named : candidates.filter((c) => c.match.serverNames.length === 0);

  const byTransport = candidates.filter((c) => c.match.transportProtocol === transport);
  if (byTransport.length > 0) reasons.push(`transport ${transport}`);
  candidates =
    byTransport.length > 0 ? byTransport : candidates.filter((c) => c.match.transportProtocol === undefined);

  let byAlpn: FilterChainModel[] = [];
  for (const proto of alpn) {
    byAlpn = candidates.filter((c) => c.match.applicationProtocols.includes(proto));
    if (byAlpn.length > 0) {
      reasons.push(`ALPN ${proto}`);
      break;
    }
  }
  candidates =
    byAlpn.length > 0 ? byAlpn : candidates.filter((c) => c.match.applicationProtocols.length === 0);

  const chain = candidates[0];
  if (chain)
    return { chain, reason: reasons.length > 0 ? reasons.join(', ') : 'catch-all chain (no match criteria)' };
  if (listener.defaultFilterChain)
    return { chain: listener.defaultFilterChain, reason: 'default filter chain (no chain matched)' };
  const wanted = listener.filterChains
    .map(
      (c) =>
        `[${c.match.serverNames.join(' ') || 'any name'} / ${c.match.transportProtocol ?? 'any transport'}]`,
    )
    .join(', ');
  return {
    chain: undefined,
    reason: `no filter chain on ${listener.name} matches ${transport}${sni ? ` with SNI ${sni}` : conn.tls ? ' without SNI' : ''} (chains: ${wanted || 'none'}); Envoy closes the connection`,
  };
}
