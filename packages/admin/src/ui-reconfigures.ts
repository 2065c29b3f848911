import { html, type SafeHtml } from './html.js';
import type { Reconfigure } from './reconfigure-log.js';

/** The recent reconfigures, newest first: what changed, what caused it, and how long the compile took. */
export function renderReconfigures(entries: readonly Reconfigure[]): SafeHtml {
  return html`<section class="panel" id="reconfigures">
<h2>Recent reconfigures</h2>
${
  entries.length === 0
    ? html`<p class="muted">None since this process started.</p>`
    : html`<table><tr><th>When</th><th>Group</th><th>Serial</th><th>Compile</th><th>Problems</th><th>Envoy resources changed</th><th>Inputs behind the changes</th></tr>
${entries.map((e) => {
  const counts = { added: 0, changed: 0, removed: 0 };
  for (const c of e.changes) counts[c.change]++;
  return html`<tr class="reconfigure"><td class="nowrap"><code class="small" title="${e.at}">${e.at.slice(0, 19).replace('T', ' ')}</code></td><td><code>${e.group}</code></td><td>${e.serial}</td><td class="nowrap">${formatMs(e.compileMs)}</td>
<td>${e.errors > 0 ? html`<span class="error">${plural(e.errors, 'error')}</span>` : 'no errors'}${e.warnings > 0 ? html`, ${plural(e.warnings, 'warning')}` : ''}</td>
<td><details><summary>${counts.added} added, ${counts.changed} changed, ${counts.removed} removed</summary>
${e.changes.slice(0, 200).map((c) => html`<div class="small">${c.change} ${c.type} <code>${c.name}</code></div>`)}${e.changes.length > 200 ? html`<div class="small muted">… and ${e.changes.length - 200} more</div>` : ''}</details></td>
<td class="small">${e.inputs.slice(0, 20).join(', ')}${e.inputs.length > 20 ? ` … and ${e.inputs.length - 20} more` : ''}</td></tr>`;
})}</table>`
}
</section>`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}
