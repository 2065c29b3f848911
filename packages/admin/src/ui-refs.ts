import { formatRef, type ResourceRef } from '@attache/core';
import { html, type SafeHtml } from './html.js';

/** A link to the page of one input resource. */
export function refLink(ref: ResourceRef): SafeHtml {
  const query = new URLSearchParams({ kind: ref.kind, name: ref.name });
  if (ref.namespace !== undefined) query.set('namespace', ref.namespace);
  return html`<a href="/resource?${query.toString()}">${formatRef(ref)}</a>`;
}

/** Links to every resource of a provenance list, de-duplicated, comma-separated. */
export function refLinks(refs: readonly ResourceRef[]): SafeHtml {
  const seen = new Set<string>();
  const unique = refs.filter((r) => {
    const key = `${r.kind} ${r.namespace ?? ''}/${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return html`<span class="muted">no input resource</span>`;
  return html`${unique.map((r, i) => html`${i > 0 ? ', ' : ''}${refLink(r)}`)}`;
}

/** The source of a resource: 'file.yaml:12' or a Kubernetes object path. */
export function sourceOf(ref: ResourceRef | undefined): SafeHtml {
  return ref?.source ? html`<code>${ref.source}</code>` : html`<span class="muted">unknown</span>`;
}
