import {
  compareDiagnostics,
  type Diagnostic,
  formatRef,
  type ResourceRef,
  resourceKey,
  type Snapshot,
} from '@attache/core';
import { html, type SafeHtml } from './html.js';
import { summarizeSnapshot } from './snapshot-summary.js';

export interface DiagnosticsPageInput {
  snapshot: Snapshot | undefined;
  diagnostics: readonly Diagnostic[];
}

/**
 * The diagnostics page Jane opens to see why her Mapping did not take effect:
 * problems grouped by the resource they are about, then every Envoy resource
 * with the inputs it came from. Server-rendered, no script.
 */
export function renderDiagnosticsPage(input: DiagnosticsPageInput): string {
  const { snapshot } = input;
  const diagnostics = [...input.diagnostics].sort(compareDiagnostics);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const d of diagnostics) counts[d.severity]++;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Attaché diagnostics</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font: 12px ui-monospace, monospace; }
.error { color: #b00020; } .warning { color: #8a6d00; } .info { color: #555; }
h2 { margin-top: 2rem; } h3 { margin-bottom: 0.2rem; }
</style>
</head>
<body>
<h1>Attaché diagnostics</h1>
${
  snapshot
    ? html`<p>Serving snapshot <code>${snapshot.version}</code> (serial ${snapshot.serial}, group <code>${snapshot.group}</code>).</p>`
    : html`<p class="warning">No snapshot yet: the first compilation has not finished.</p>`
}
<p><span class="error">${counts.error} errors</span>, <span class="warning">${counts.warning} warnings</span>, <span class="info">${counts.info} notes</span>.</p>
<h2>Problems by resource</h2>
${diagnostics.length === 0 ? html`<p>None: every resource was accepted.</p>` : renderProblems(diagnostics)}
<h2>Envoy resources</h2>
${snapshot ? renderEnvoyResources(snapshot) : html`<p>None yet.</p>`}
</body>
</html>
`;
  return page.value;
}

function renderProblems(diagnostics: readonly Diagnostic[]): SafeHtml {
  const groups = new Map<string, { ref: ResourceRef | undefined; items: Diagnostic[] }>();
  for (const d of diagnostics) {
    const key = d.resource ? resourceKey(d.resource) : '';
    const group = groups.get(key);
    if (group) group.items.push(d);
    else groups.set(key, { ref: d.resource, items: [d] });
  }
  return html`${[...groups.values()].map(
    ({ ref, items }) => html`<section>
<h3>${ref ? formatRef(ref) : 'Not about one resource'}${ref?.source ? html` <small><code>${ref.source}</code></small>` : ''}</h3>
<table>
<tr><th>Severity</th><th>Code</th><th>Field</th><th>Message</th><th>Reported by</th></tr>
${items.map(
  (
    d,
  ) => html`<tr class="${d.severity}"><td>${d.severity}</td><td><code>${d.code}</code></td><td><code>${d.path ?? ''}</code></td><td>${d.message}</td><td><code>${d.origin.pass ?? d.origin.plugin}</code></td></tr>
`,
)}</table>
</section>
`,
  )}`;
}

function renderEnvoyResources(snapshot: Snapshot): SafeHtml {
  return html`${summarizeSnapshot(snapshot).types.map(
    (t) => html`<h3>${t.type} (${t.count})</h3>
${
  t.count === 0
    ? html`<p>None.</p>`
    : html`<table>
<tr><th>Name</th><th>Version</th><th>From</th></tr>
${t.resources.map(
  (r) => html`<tr><td><code>${r.name}</code></td><td><code>${r.version}</code></td><td>${r.provenance.map(
    (p, i) => html`${i > 0 ? ', ' : ''}${formatRef(p)}`,
  )}</td></tr>
`,
)}</table>`
}
`,
  )}`;
}
