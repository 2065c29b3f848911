import { compareDiagnostics, type Diagnostic, formatRef, type ResourceRef, resourceKey } from '@attache/core';
import { html, type SafeHtml } from './html.js';
import { firstOf, moreNote, uiLimits } from './ui-limits.js';
import { refLink, sourceOf } from './ui-refs.js';

export interface ProblemsFilter {
  /** Words that must all appear in the resource, code, field or message (case-insensitive). */
  q?: string;
  severity?: string;
}

/**
 * What is wrong: diagnostics grouped by the resource they are about, each
 * with code, field, message (which says the fix) and where the resource was
 * read (file:line or Kubernetes object). The filter works without script
 * (a GET form); /ui.js applies it while typing.
 */
export function renderProblems(
  all: readonly Diagnostic[],
  filter: ProblemsFilter,
  options: { filterForm?: boolean } = {},
): SafeHtml {
  const diagnostics = [...all].filter((d) => matches(d, filter)).sort(compareDiagnostics);
  const groups = new Map<string, { ref: ResourceRef | undefined; items: Diagnostic[] }>();
  for (const d of diagnostics) {
    const key = d.resource ? resourceKey(d.resource) : '';
    const group = groups.get(key);
    if (group) group.items.push(d);
    else groups.set(key, { ref: d.resource, items: [d] });
  }
  return html`<section class="panel" id="problems">
<h2>What is wrong</h2>
${
  options.filterForm === false
    ? ''
    : html`<form class="filters" method="get" action="/#problems" id="problem-filter">
<input type="search" name="q" placeholder="filter: resource, code, field, words" value="${filter.q ?? ''}" size="40" aria-label="filter problems">
<select name="severity" aria-label="severity">
${['', 'error', 'warning', 'info'].map(
  (s) =>
    html`<option value="${s}"${filter.severity === s ? html` selected` : ''}>${s === '' ? 'any severity' : s}</option>`,
)}
</select>
<button type="submit">Filter</button>
<span class="muted small" id="problem-count">${diagnostics.length} of ${all.length} shown</span>
</form>`
}
${
  all.length === 0
    ? html`<p class="ok">Nothing: every resource was accepted.</p>`
    : diagnostics.length === 0
      ? html`<p class="muted">No problem matches the filter.</p>`
      : renderGroups([...groups.values()])
}
</section>`;
}

function renderGroups(
  groups: ReadonlyArray<{ ref: ResourceRef | undefined; items: Diagnostic[] }>,
): SafeHtml {
  const { shown, more } = firstOf(groups, uiLimits.problemGroups);
  return html`${shown.map(({ ref, items }) => renderGroup(ref, items))}${moreNote(more, 'resources with problems', html`narrow the filter, or read <a href="/api/diagnostics">/api/diagnostics</a>`)}`;
}

function renderGroup(ref: ResourceRef | undefined, items: readonly Diagnostic[]): SafeHtml {
  return html`<div class="problem-group" data-resource="${ref ? formatRef(ref) : ''}">
<h3>${ref ? html`${refLink(ref)} <span class="small muted">read from ${sourceOf(ref)}</span>` : html`Not about one resource <span class="small muted">(a file or a source as a whole: the message says where)</span>`}</h3>
<table>
<tr><th>Severity</th><th>Code</th><th>Field</th><th>What and how to fix it</th><th>Reported by</th></tr>
${items.map(
  (d) => html`<tr class="problem" data-severity="${d.severity}" data-text="${searchText(d).toLowerCase()}">
<td><span class="badge ${d.severity}">${d.severity}</span></td><td><code>${d.code}</code></td><td><code>${d.path ?? ''}</code></td><td>${d.message}</td><td><code class="small">${d.origin.pass ?? d.origin.plugin}</code></td></tr>
`,
)}</table>
</div>
`;
}

function searchText(d: Diagnostic): string {
  return [
    d.code,
    d.severity,
    d.path ?? '',
    d.message,
    d.resource ? formatRef(d.resource) : '',
    d.resource?.source ?? '',
  ].join(' ');
}

export function matches(d: Diagnostic, filter: ProblemsFilter): boolean {
  if (filter.severity && d.severity !== filter.severity) return false;
  const words = (filter.q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = searchText(d).toLowerCase();
  return words.every((w) => text.includes(w));
}
