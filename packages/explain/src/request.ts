/** A request as a client sends it. */
export interface ExplainRequest {
  /** Default GET. */
  method?: string;
  /** `http://host[:port]/path?query` or `https://…`; the scheme decides cleartext or TLS. */
  url: string;
  /** Extra headers; `host` / `:authority` override the URL's authority, `x-forwarded-proto` its default. */
  headers?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  /** The TLS ClientHello; defaults from the URL (https: SNI = host). `false` forces cleartext. */
  tls?: { sni?: string; alpn?: string[] } | false;
  /** The client sends a PROXY protocol header before anything else. */
  proxyProtocol?: boolean;
  /**
   * The port the connection reaches Envoy on (the listener port). Default: the URL's
   * port; for a URL without one, see {@link servicePortTargets}.
   */
  listenerPort?: number;
}

/**
 * The usual deployment: Envoy listens on unprivileged ports behind a Service (or
 * load balancer) that forwards 80 → 8080 and 443 → 8443, and clients send the
 * Host header without a port. A URL without a port is modelled that way when
 * Envoy has no listener on the scheme's own port.
 */
export const servicePortTargets: Readonly<Record<number, number>> = { 80: 8080, 443: 8443 };

/** The request as Envoy sees it before the HTTP connection manager touches it. */
export interface RequestFacts {
  method: string;
  scheme: 'http' | 'https';
  /** The URL's host name, lower case, without brackets or port. */
  hostname: string;
  /** Destination port of the connection. */
  port: number;
  /** Whether the URL named its port (else it is the scheme's default, 80 or 443). */
  explicitPort: boolean;
  /** Path without the query, exactly as sent (not normalised). */
  path: string;
  /** Query string without the '?', or undefined when there was none. */
  query?: string;
  /** Lower-case header names; several values of one header are joined with ','. */
  headers: Map<string, string>;
  /** Whether x-forwarded-proto was set explicitly. */
  explicitForwardedProto: boolean;
  tls?: { sni?: string; alpn: string[] };
  proxyProtocol: boolean;
}

const urlPattern = /^(https?):\/\/(\[[^\]]+\]|[^/?#:]+)(?::(\d+))?([^?#]*)(?:\?([^#]*))?/i;

/** Parses a request; returns an error message instead of throwing for a bad URL. */
export function requestFacts(request: ExplainRequest): RequestFacts | { error: string } {
  const m = urlPattern.exec(request.url.trim());
  if (!m) return { error: `cannot parse URL '${request.url}': expected http(s)://host[:port]/path` };
  const scheme = m[1]!.toLowerCase() as 'http' | 'https';
  const hostname = m[2]!.toLowerCase();
  const explicitPort = m[3];
  const port = explicitPort !== undefined ? Number(explicitPort) : scheme === 'https' ? 443 : 80;
  const path = m[4] === undefined || m[4] === '' ? '/' : m[4];
  const headers = new Map<string, string>();
  const given = Array.isArray(request.headers)
    ? (request.headers as ReadonlyArray<readonly [string, string]>)
    : Object.entries(request.headers ?? {});
  for (const [rawName, value] of given) {
    const name = rawName.trim().toLowerCase() === 'host' ? ':authority' : rawName.trim().toLowerCase();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  const method = (request.method ?? headers.get(':method') ?? 'GET').toUpperCase();
  headers.set(':method', method);
  if (!headers.has(':authority'))
    headers.set(':authority', explicitPort !== undefined ? `${hostname}:${port}` : hostname);
  headers.set(':scheme', scheme);
  const explicitForwardedProto = headers.has('x-forwarded-proto');
  if (!explicitForwardedProto) headers.set('x-forwarded-proto', scheme);
  const facts: RequestFacts = {
    method,
    scheme,
    hostname,
    port,
    explicitPort: explicitPort !== undefined,
    path,
    headers,
    explicitForwardedProto,
    proxyProtocol: request.proxyProtocol === true,
  };
  if (m[5] !== undefined) facts.query = m[5];
  if (request.tls !== false && (request.tls !== undefined || scheme === 'https')) {
    const sni = request.tls?.sni ?? (/^[\d.]+$|^\[/.test(hostname) ? undefined : hostname);
    facts.tls = { alpn: request.tls?.alpn ?? ['h2', 'http/1.1'] };
    if (sni !== undefined) facts.tls.sni = sni;
  }
  return facts;
}

/** Parses "GET https://host/path" (method optional). */
export function parseRequestLine(line: string): { method: string; url: string } {
  const parts = line.trim().split(/\s+/);
  if (parts.length >= 2) return { method: parts[0]!.toUpperCase(), url: parts[1]! };
  return { method: 'GET', url: parts[0] ?? '' };
}

/** Parses 'name: value' as given to -H. */
export function parseHeaderLine(line: string): [string, string] | undefined {
  // A leading ':' belongs to the name (':authority: x').
  const colon = line.indexOf(':', line.startsWith(':') ? 1 : 0);
  if (colon <= 0) return undefined;
  return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
}
