/** A Mapping's `service`, parsed: `[scheme://]host[:port]`. */
export interface ServiceRef {
  scheme?: 'http' | 'https';
  /** As written: `name`, `name.namespace`, an FQDN or an IP address. */
  host: string;
  port?: number;
}

// Made once: a regex literal inside a function is a new RegExp object per call (one per Mapping).
const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const notInHost = /[\s/?#@]/;
const digits = /^[0-9]+$/;

/** Parses a service string, or returns why it is not one. */
export function parseService(service: string): ServiceRef | { error: string } {
  let rest = service.trim();
  let scheme: ServiceRef['scheme'];
  const schemeMatch = rest.includes('://') ? schemePattern.exec(rest) : null;
  if (schemeMatch) {
    const s = schemeMatch[1]!.toLowerCase();
    if (s !== 'http' && s !== 'https')
      return { error: `scheme '${s}://' is not supported; use http:// or https://` };
    scheme = s;
    rest = rest.slice(schemeMatch[0].length);
  }
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  let host = rest;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { error: 'an IPv6 address needs a closing "]"' };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') return { error: `unexpected '${after}' after the IPv6 address` };
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  if (host === '' || notInHost.test(host)) return { error: `'${host}' is not a service name or address` };
  const out: ServiceRef = { host };
  if (scheme) out.scheme = scheme;
  if (portText !== undefined) {
    if (!digits.test(portText)) return { error: `port '${portText}' is not a number` };
    const port = Number(portText);
    if (port < 1 || port > 65535) return { error: `port ${port} is outside 1-65535` };
    out.port = port;
  }
  return out;
}

/**
 * parseService's error for this service, or undefined: what ingest asks of every Mapping. The
 * usual form (`name[.namespace][:port]`, letters, digits, '.', '_' and '-', a port of one to five
 * digits) is recognised by one regex and its port read, with nothing made; any other goes through
 * parseService. (A regex, not a loop over the characters: a compile runs this 10,000 times mostly
 * unoptimised, where a call per character cost ~1 µs a service against ~0.3 µs.)
 */
export function serviceError(service: string): string | undefined {
  if (!usualService.test(service)) return parsedError(service);
  const colon = service.lastIndexOf(':');
  if (colon < 0) return undefined;
  let port = 0;
  for (let i = colon + 1; i < service.length; i++) port = port * 10 + (service.charCodeAt(i) - 48);
  return port >= 1 && port <= 65535 ? undefined : parsedError(service);
}

/** The usual form of a service (serviceError's fast read). */
const usualService = /^[A-Za-z0-9._-]+(?::[0-9]{1,5})?$/;

function parsedError(service: string): string | undefined {
  const parsed = parseService(service);
  return 'error' in parsed ? parsed.error : undefined;
}

export function isIpAddress(host: string): boolean {
  return /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host) || host.includes(':');
}
