import { type ExplainRequest, parseHeaderLine } from '@attache/explain';

/** The explainer form's fields, as strings from the query string. */
export interface ExplainQuery {
  method?: string;
  url?: string;
  /** One 'name: value' per line, as `attache explain -H`. */
  headers?: string;
  listener?: string;
  sni?: string;
  proxyProtocol?: string;
  group?: string;
}

/** The request `attache explain` would build from the same fields, or the mistake in them (said as the CLI says it). */
export function explainRequestOf(query: ExplainQuery): { request: ExplainRequest } | { error: string } {
  const url = (query.url ?? '').trim();
  if (!/^https?:\/\//i.test(url)) return { error: `'${url}' is not an http:// or https:// URL` };
  const headers: Array<[string, string]> = [];
  for (const line of (query.headers ?? '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const header = parseHeaderLine(line);
    if (!header) return { error: `-H '${line}' is not 'name: value'` };
    headers.push(header);
  }
  const request: ExplainRequest = {
    method: (query.method ?? 'GET').trim().toUpperCase() || 'GET',
    url,
    headers,
  };
  const listener = (query.listener ?? '').trim();
  if (listener !== '') {
    const port = /^\d+$/.test(listener) ? Number(listener) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) return { error: `--listener '${listener}' is not a port (1-65535)` };
    request.listenerPort = port;
  }
  const sni = (query.sni ?? '').trim();
  if (sni !== '') request.tls = { sni };
  if (query.proxyProtocol === 'on' || query.proxyProtocol === '1' || query.proxyProtocol === 'true') {
    request.proxyProtocol = true;
  }
  return { request };
}
