import { html, type SafeHtml } from './html.js';

/**
 * A page stays usable with 10,000 Mappings: long lists show their first
 * entries and say where the rest is (10,000 Mappings rendered whole made a
 * 4 MB page that took 0.75 s to build).
 */
export const uiLimits = {
  routesPerVirtualHost: 200,
  resourcesPerType: 500,
  problemGroups: 500,
} as const;

export function firstOf<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: number } {
  return items.length <= limit
    ? { shown: items, more: 0 }
    : { shown: items.slice(0, limit), more: items.length - limit };
}

export function moreNote(more: number, what: string, where: SafeHtml): SafeHtml {
  return more > 0 ? html`<div class="small muted">… and ${more} more ${what}: ${where}</div>` : html``;
}
