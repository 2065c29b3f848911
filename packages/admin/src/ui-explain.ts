import type { ExplainQuery } from './explain-query.js';
import { html, type SafeHtml } from './html.js';

export interface ExplainResult {
  text?: string;
  error?: string;
  /** 0 when a route takes the request, 1 when none does (as the CLI's exit code). */
  routed?: boolean;
}

/** The request explainer: the same fields as `attache explain`, run on the live snapshot. */
export function renderExplain(
  query: ExplainQuery,
  groups: readonly string[],
  result: ExplainResult | undefined,
): SafeHtml {
  const method = query.method ?? 'GET';
  return html`<section class="panel" id="explain">
<h2>Explain a request <span class="small muted">what Envoy does with it, on the configuration being served (as <code>attache explain</code>)</span></h2>
<form class="explain" method="get" action="/explain#explain">
<label for="x-method">Method</label><select id="x-method" name="method">${['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => html`<option${m === method ? html` selected` : ''}>${m}</option>`)}</select>
<label for="x-url">URL</label><input id="x-url" name="url" required placeholder="https://example.com/api/" value="${query.url ?? ''}">
<label for="x-headers">Headers</label><textarea id="x-headers" name="headers" rows="2" placeholder="name: value (one per line)">${query.headers ?? ''}</textarea>
<label for="x-listener">Listener port</label><input id="x-listener" name="listener" inputmode="numeric" placeholder="default: from the URL" value="${query.listener ?? ''}">
<label for="x-sni">SNI</label><input id="x-sni" name="sni" placeholder="default: the URL's host for https" value="${query.sni ?? ''}">
<label for="x-group">Node group</label><select id="x-group" name="group">${groups.map((g) => html`<option${g === (query.group ?? groups[0]) ? html` selected` : ''}>${g}</option>`)}</select>
<span></span><label><input type="checkbox" name="proxyProtocol"${query.proxyProtocol ? html` checked` : ''}> the client sends a PROXY protocol header</label>
<span></span><button type="submit" id="x-submit">Explain</button>
</form>
${
  result?.error
    ? html`<p class="error" id="explain-error">${result.error}</p>`
    : result?.text !== undefined
      ? html`<p><span class="badge ${result.routed ? 'ok' : 'warning'}">${result.routed ? 'a route takes it' : 'no route takes it'}</span></p><pre id="explain-result">${result.text}</pre>`
      : ''
}
</section>`;
}
