import type { ResourceRef, Snapshot } from '@attache/core';
import { buildConfigTree, type ClusterNode, type RouteNode } from './config-tree.js';
import { html, type SafeHtml } from './html.js';
import { firstOf, moreNote, uiLimits } from './ui-limits.js';
import { refLinks } from './ui-refs.js';

/** What exists: Listeners → filter chains → virtual hosts → routes → clusters → endpoints, and the TLS secrets. */
export function renderConfig(snapshot: Snapshot | undefined): SafeHtml {
  if (!snapshot) {
    return html`<section class="panel" id="config"><h2>What exists</h2><p class="muted">Nothing compiled yet.</p></section>`;
  }
  const tree = buildConfigTree(snapshot);
  return html`<section class="panel" id="config">
<h2>What exists <span class="small muted">group ${snapshot.group}</span></h2>
${tree.listeners.length === 0 ? html`<p class="muted">No Listener.</p>` : ''}
${tree.listeners.map(
  (
    l,
  ) => html`<details open class="listener"><summary><b>Listener</b> <code>${l.name}</code> on <code>${l.address}</code> <span class="small">from ${refLinks(l.provenance)}</span></summary>
<div class="tree">
${l.chains.map(
  (
    c,
  ) => html`<details${l.chains.length <= 3 ? html` open` : ''}><summary>filter chain #${c.index}${c.name ? html` <code>${c.name}</code>` : ''}: ${c.match}${c.secrets.length > 0 ? html` · TLS with ${c.secrets.map((s, i) => html`${i > 0 ? ', ' : ''}<a href="#secret-${s}">${s}</a>`)}` : ''}</summary>
<div class="tree">
${
  c.routeConfig
    ? html`<div class="small">routes <code>${c.routeConfig.name}</code></div>
${c.routeConfig.virtualHosts.map(
  (
    v,
  ) => html`<details><summary>virtual host <code>${v.name}</code> (${v.domains.join(', ')}) <span class="small">${v.provenance.length > 0 ? html`from ${refLinks(v.provenance)}` : ''}</span></summary>
<div class="tree">${renderRoutes(v.routes, tree.clusters)}</div></details>`,
)}`
    : ''
}
${c.tcpClusters.map((name) => html`<div>TCP proxy → ${renderCluster(tree.clusters.get(name), name)}</div>`)}
</div></details>`,
)}
</div></details>`,
)}
<h3>TLS secrets</h3>
${
  tree.secrets.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><tr><th>Secret</th><th>Holds</th><th>Subject</th><th>SHA-256 fingerprint</th><th>Expires</th><th>From</th></tr>
${tree.secrets.map(
  (s) =>
    html`<tr id="secret-${s.name}"><td><code>${s.name}</code></td><td>${s.kind}</td><td>${s.certificate?.subject ?? ''}</td><td><code class="small fingerprint">${s.certificate?.fingerprint ?? ''}</code></td><td class="nowrap">${s.certificate ? s.certificate.notAfter.slice(0, 10) : ''}</td><td>${refLinks(s.provenance)}</td></tr>`,
)}</table>`
}
</section>`;
}

function renderRoutes(routes: readonly RouteNode[], clusters: ReadonlyMap<string, ClusterNode>): SafeHtml {
  const { shown, more } = firstOf(routes, uiLimits.routesPerVirtualHost);
  return html`${shown.map((r) => renderRoute(r, clusters))}${moreNote(more, 'routes', html`<a href="/api/snapshot?full=1">/api/snapshot?full=1</a>`)}`;
}

function renderRoute(r: RouteNode, clusters: ReadonlyMap<string, ClusterNode>): SafeHtml {
  return html`<div class="route">route <code>${r.name}</code>: ${r.match} → ${r.action} <span class="small">${provenanceNote(r.provenance)}</span>${
    r.clusters.length > 0
      ? html`<div class="tree">${r.clusters.map((name) => renderCluster(clusters.get(name), name))}</div>`
      : ''
  }</div>`;
}

function renderCluster(cluster: ClusterNode | undefined, name: string): SafeHtml {
  if (!cluster) return html`<code>${name}</code> <span class="error small">(no such cluster)</span>`;
  return html`<details class="cluster"><summary>cluster <code>${name}</code> <span class="small muted">${cluster.type}, ${cluster.endpoints.length} endpoint${cluster.endpoints.length === 1 ? '' : 's'}</span></summary>
<div class="tree small">${cluster.endpoints.length === 0 ? html`<span class="muted">no endpoints</span>` : cluster.endpoints.map((e) => html`<div><code>${e}</code></div>`)}<div>from ${refLinks(cluster.provenance)}</div></div></details>`;
}

function provenanceNote(refs: readonly ResourceRef[]): SafeHtml {
  return refs.length > 0 ? html`from ${refLinks(refs)}` : html``;
}
