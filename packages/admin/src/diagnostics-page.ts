import type { Diagnostic, Snapshot } from '@attache/core';
import { formatRef } from '@attache/core';
import type { ClientStream } from './client-stream.js';
import type { ExplainQuery } from './explain-query.js';
import { html, type SafeHtml } from './html.js';
import type { Reconfigure } from './reconfigure-log.js';
import { summarizeSnapshot } from './snapshot-summary.js';
import { renderConfig } from './ui-config.js';
import { type ExplainResult, renderExplain } from './ui-explain.js';
import { renderLayout } from './ui-layout.js';
import { firstOf, moreNote, uiLimits } from './ui-limits.js';
import { renderLive } from './ui-live.js';
import { type ProblemsFilter, renderProblems } from './ui-problems.js';
import { renderReconfigures } from './ui-reconfigures.js';

export interface DiagnosticsPageInput {
  /** The default group's snapshot (the configuration tree shows it). */
  snapshot: Snapshot | undefined;
  diagnostics: readonly Diagnostic[];
  /** Every group's snapshot; default: [snapshot]. */
  snapshots?: readonly Snapshot[];
  streams?: readonly ClientStream[];
  reconfigures?: readonly Reconfigure[];
  filter?: ProblemsFilter;
  explain?: { query: ExplainQuery; result?: ExplainResult };
}

/**
 * The page people open first when something is wrong, in one screen: is the
 * config live and everywhere, what is wrong, what exists, what a request
 * does, and what changed lately. Server-rendered; /ui.js only filters.
 */
export function renderDiagnosticsPage(input: DiagnosticsPageInput): string {
  const snapshots = input.snapshots ?? (input.snapshot ? [input.snapshot] : []);
  const groups = snapshots.length > 0 ? snapshots.map((s) => s.group) : ['default'];
  return renderLayout(
    'diagnostics',
    html`${renderLive({ snapshots, streams: input.streams ?? [], diagnostics: input.diagnostics })}
${renderProblems(input.diagnostics, input.filter ?? {})}
${renderConfig(input.snapshot)}
${renderExplain(input.explain?.query ?? {}, groups, input.explain?.result)}
${renderReconfigures(input.reconfigures ?? [])}
${input.snapshot ? renderEnvoyResources(input.snapshot) : ''}`,
  );
}

/** Every Envoy resource of the snapshot with the inputs behind it, folded away. */
function renderEnvoyResources(snapshot: Snapshot): SafeHtml {
  return html`<section class="panel" id="envoy-resources"><details><summary><b>Every Envoy resource</b> <span class="small muted">by type, with the inputs behind each</span></summary>
${summarizeSnapshot(snapshot).types.map(
  (t) => html`<h3>${t.type} (${t.count})</h3>
${
  t.count === 0
    ? html`<p class="muted">None.</p>`
    : html`<table>
<tr><th>Name</th><th>Version</th><th>From</th></tr>
${firstOf(t.resources, uiLimits.resourcesPerType).shown.map(
  (
    r,
  ) => html`<tr><td><code>${r.name}</code></td><td><code class="small">${r.version}</code></td><td>${r.provenance.map(
    (p, i) => html`${i > 0 ? ', ' : ''}${formatRef(p)}`,
  )}</td></tr>
`,
)}</table>${moreNote(firstOf(t.resources, uiLimits.resourcesPerType).more, `${t.type} resources`, html`<a href="/api/snapshot">/api/snapshot</a>`)}`
}
`,
)}</details></section>`;
}
