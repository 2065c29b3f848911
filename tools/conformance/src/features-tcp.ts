import { type CompileResult, compareStrings, compile, type Plugin, type StoredResource } from '@attache/core';
import { envoyPlugin } from '@attache/envoy';
import { buildEnvoyModel, type EnvoyModel, type FilterChainModel } from '@attache/explain';
import { tcpPlugin } from '@attache/plugin-feature-tcp';
import { httpPlugin } from '@attache/plugin-http';
import { canon } from './canon.js';
import { clusterBehaviour } from './cluster-identity.js';
import { readResources } from './compile-attache.js';
import {
  discoverFeatureCases,
  type FeatureCase,
  type FeatureCheck,
  type FeatureCheckResult,
  printFeatureChecks,
  routingCheck,
  sameJson,
  showJson,
} from './feature-cases.js';
import { standInCertificate, withParseableSecrets } from './on-envoy/placeholder-secrets.js';
import { runCase } from './run-case.js';

/**
 * TCPMapping conformance (../shared/conformance/features/*-tcp-*): the parts
 * feature-tcp produces, each counted as one check per case, plus the routing
 * probes of the HTTP side:
 *
 * - `listeners`: every address:port that carries a tcp_proxy chain, with its
 *   listener filters (TLS inspector when SNI is read);
 * - `chains`: on each of those ports, every tcp_proxy filter chain by its match
 *   (SNI names, transport protocol), its TLS termination (which certificate, or
 *   none) and where connections go: each cluster by behaviour with its share;
 * - `clusters`: the distinct clusters tcp_proxy chains send to, by behaviour.
 *
 * Shares: Emissary writes the cumulative numbers it uses for HTTP canaries
 * (30 then 100) into tcp_proxy, whose weights are relative (Envoy then splits
 * 23/77). Both sides are compared by the split meant: Emissary's cumulative
 * list is read back as its steps (30, 70), Attaché's relative weights as
 * percentages. Differences on purpose are listed in `deliberateTcpDifferences`.
 */
export const tcpPlugins: Plugin[] = [httpPlugin, tcpPlugin, envoyPlugin];

export function discoverTcpCases(shared: string): FeatureCase[] {
  return discoverFeatureCases(shared, (dir) => /^\d+-(err-)?tcp-/.test(dir));
}

/** Ports where Attaché differs on purpose (docs/compat.md): left out of the comparison, reported as such. */
export const deliberateTcpDifferences: Array<{ case: string; bind: string; reason: string; docs: string }> = [
  {
    case: 'features/89-err-tcp-sni-passthrough',
    bind: '0.0.0.0:9443',
    reason:
      'a TCPMapping host with no Host or TLSContext for it is TLS passthrough by SNI (TCPMAPPING_TLS_PASSTHROUGH); Emissary drops the TCPMapping and the listener',
    docs: 'docs/compat.md#tcpmapping-sni-passthrough',
  },
];

type Json = Record<string, unknown>;

interface TcpSide {
  model: EnvoyModel;
  /** address:port → listener filters, for listeners with a tcp_proxy chain. */
  listeners: Map<string, string[]>;
  /** address:port → the tcp_proxy chains, each as canonical JSON. */
  chains: Map<string, string[]>;
  clusters: string[];
}

/** Emissary's cumulative weights back to the steps it means; a single cluster is 100. */
function emissaryShares(weights: number[]): number[] {
  return weights.map((w, i) => w - (i > 0 ? weights[i - 1]! : 0));
}

/** Relative weights as percentages (one decimal). */
function relativeShares(weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.round((w / total) * 1000) / 10);
}

function sideOf(model: EnvoyModel, cumulative: boolean, skip: ReadonlySet<string>): TcpSide {
  const listeners = new Map<string, string[]>();
  const chains = new Map<string, string[]>();
  const clusters = new Set<string>();
  for (const l of model.listeners) {
    const bind = `${l.address}:${l.port}`;
    if (skip.has(bind)) continue;
    const all: FilterChainModel[] = [
      ...l.filterChains,
      ...(l.defaultFilterChain ? [l.defaultFilterChain] : []),
    ];
    const tcp = all.filter((c) => c.tcpProxy);
    if (tcp.length === 0) continue;
    listeners.set(bind, [...l.listenerFilters]);
    const views = tcp.map((c) => {
      const proxy = c.tcpProxy!;
      const weights = proxy.clusters.map((x) => x.weight);
      const shares = cumulative ? relativeShares(emissaryShares(weights)) : relativeShares(weights);
      const targets = proxy.clusters.map((x, i) => {
        const behaviour = JSON.stringify(canon(clusterBehaviour(model.clusters.get(x.name), x.name)));
        clusters.add(behaviour);
        return { cluster: JSON.parse(behaviour) as unknown, share: shares[i] };
      });
      targets.sort((a, b) => compareStrings(JSON.stringify(a), JSON.stringify(b)));
      const view = {
        match: {
          serverNames: [...c.match.serverNames].sort(compareStrings),
          transportProtocol: c.match.transportProtocol ?? null,
        },
        terminateTls: c.tls ? canon(c.tls) : null,
        targets,
        idleTimeout: (proxy.raw as Json).idle_timeout ?? null,
      };
      return JSON.stringify(canon(view));
    });
    chains.set(bind, views.sort(compareStrings));
  }
  return { model, listeners, chains, clusters: [...clusters].sort(compareStrings) };
}

export type TcpCheck = FeatureCheck<'listeners' | 'chains' | 'clusters'>;
export type TcpCaseResult = FeatureCheckResult<TcpCheck['part']>;

/** Compares the TCP parts of Emissary's expected output with Attaché's for one case. */
export function compareTcpParts(caseId: string, expectedConfig: unknown, result: CompileResult): TcpCheck[] {
  const deliberate = deliberateTcpDifferences.filter((d) => caseId.startsWith(d.case));
  const skip = new Set(deliberate.map((d) => d.bind));
  const expected = sideOf(buildEnvoyModel({ bootstrap: expectedConfig }), true, skip);
  const actual = sideOf(buildEnvoyModel({ xds: result.xds, ir: result.ir }), false, skip);
  const onPurpose = deliberate.length
    ? `; ${deliberate.map((d) => `${d.bind} differs on purpose: ${d.reason} (${d.docs})`).join('; ')}`
    : '';
  const checks: TcpCheck[] = [];
  const eL = [...expected.listeners].sort((a, b) => compareStrings(a[0], b[0]));
  const aL = [...actual.listeners].sort((a, b) => compareStrings(a[0], b[0]));
  checks.push({
    part: 'listeners',
    ok: sameJson(eL, aL),
    detail: sameJson(eL, aL)
      ? `${eL.length} TCP listener(s) equal (${eL.map(([b, f]) => `${b}${f.length ? ` [${f.join(',')}]` : ''}`).join(', ')})${onPurpose}`
      : `Emissary ${showJson(eL)} vs Attaché ${showJson(aL)}`,
  });
  const binds = [...new Set([...expected.chains.keys(), ...actual.chains.keys()])].sort(compareStrings);
  const differing = binds.filter((b) => !sameJson(expected.chains.get(b) ?? [], actual.chains.get(b) ?? []));
  const chainCount = [...expected.chains.values()].reduce((n, c) => n + c.length, 0);
  checks.push({
    part: 'chains',
    ok: differing.length === 0,
    detail:
      differing.length === 0
        ? `${chainCount} tcp_proxy chain(s) equal: matches, TLS termination, clusters and shares`
        : `${differing[0]}: Emissary ${showJson(expected.chains.get(differing[0]!) ?? [])} vs Attaché ${showJson(actual.chains.get(differing[0]!) ?? [])}`,
  });
  checks.push({
    part: 'clusters',
    ok: sameJson(expected.clusters, actual.clusters),
    detail: sameJson(expected.clusters, actual.clusters)
      ? `${expected.clusters.length} tcp_proxy cluster(s) equal by behaviour`
      : `Emissary ${showJson(expected.clusters)} vs Attaché ${showJson(actual.clusters)}`,
  });
  return checks;
}

/** The result without the listeners on `binds` (address:port). */
function withoutBinds(result: CompileResult, binds: ReadonlySet<string>): CompileResult {
  if (binds.size === 0) return result;
  const listenerType = 'type.googleapis.com/envoy.config.listener.v3.Listener';
  const xds = result.xds as unknown as Record<string, Array<{ resource: Json }>>;
  const kept = (xds[listenerType] ?? []).filter((l) => {
    const address = (l.resource.address as { socket_address?: { address?: string; port_value?: number } })
      .socket_address;
    return !binds.has(`${address?.address}:${address?.port_value}`);
  });
  return { ...result, xds: { ...result.xds, [listenerType]: kept } as CompileResult['xds'] };
}

/** Compiles one case with http + feature-tcp + envoy; compares the TCP parts, then the routing probes. */
export function runTcpCase(c: FeatureCase, plugins: Plugin[] = tcpPlugins): TcpCaseResult {
  try {
    const resources: StoredResource[] = c.inputs.flatMap(readResources);
    const result = compile(withParseableSecrets(resources, standInCertificate()).resources, plugins);
    // Routing is judged without the ports that differ on purpose (counted in the listeners check).
    const skip = new Set(deliberateTcpDifferences.filter((d) => c.id.startsWith(d.case)).map((d) => d.bind));
    const routing = runCase(c, (r) => withoutBinds(compile(r, plugins), skip));
    return {
      id: c.id,
      checks: [...compareTcpParts(c.id, c.expected, result), routingCheck(routing)],
    };
  } catch (e) {
    return {
      id: c.id,
      checks: [{ part: 'clusters', ok: false, detail: `compile threw: ${(e as Error).message}` }],
    };
  }
}

/** Prints one line per check and a count; returns the number of failed checks. */
export function printTcpResults(results: TcpCaseResult[], write: (s: string) => void): number {
  return printFeatureChecks(results, write, {
    heading:
      'TCPMapping (features) — TCP listeners, tcp_proxy chains (match, TLS, shares), clusters, routing',
    name: 'tcp',
    partWidth: 9,
  });
}
