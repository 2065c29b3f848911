import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/** How to reach an agent: scheme, TLS material (already read), token. */
export interface AgentConnection {
  scheme: 'http' | 'https';
  /** host:port to dial. */
  address: string;
  token?: string;
  tls?: { ca?: string; cert?: string; key?: string; serverName?: string };
}

/** One passing instance of a service, as Envoy will dial it. */
export interface ConsulInstance {
  id: string;
  node: string;
  address: string;
  port: number;
}

export type HealthAnswer =
  | {
      ok: true;
      /** X-Consul-Index: the next blocking query waits for a change past it. */
      index: number;
      instances: ConsulInstance[];
      /** Instances left out because their address is not an IP (Envoy's EDS takes IPs only). */
      skipped: string[];
      /** Consul hid results the token may not read (X-Consul-Results-Filtered-By-ACLs). */
      filteredByAcls: boolean;
    }
  | { ok: false; kind: 'unreachable' | 'status'; status?: number; message: string };

/**
 * GET /v1/health/service/<service>?passing&dc=<dc>, blocking when `index` > 0
 * (Consul answers when the result changes past `index`, or after `wait`).
 * Never throws: a failure is an answer.
 */
export function queryHealth(
  conn: AgentConnection,
  q: { service: string; datacenter: string; index: number; waitSeconds: number },
  signal: AbortSignal,
): Promise<HealthAnswer> {
  const params = new URLSearchParams({ passing: '1', dc: q.datacenter });
  if (q.index > 0) {
    params.set('index', String(q.index));
    params.set('wait', `${q.waitSeconds}s`);
  }
  const [host, portText] = splitHostPort(conn.address);
  const defaultPort = conn.scheme === 'https' ? 8501 : 8500;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (conn.token) headers['x-consul-token'] = conn.token;
  const options = {
    host,
    port: portText ? Number(portText) : defaultPort,
    path: `/v1/health/service/${encodeURIComponent(q.service)}?${params}`,
    method: 'GET',
    headers,
    signal,
    // Consul adds up to wait/16 of jitter to a blocking query: allow for it, then give up.
    timeout: (q.index > 0 ? q.waitSeconds * 1000 * (17 / 16) : 0) + 15_000,
    ...(conn.scheme === 'https'
      ? {
          ca: conn.tls?.ca,
          cert: conn.tls?.cert,
          key: conn.tls?.key,
          servername: conn.tls?.serverName ?? (isIP(host) === 0 ? host : undefined),
        }
      : {}),
  };
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: HealthAnswer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const req = (conn.scheme === 'https' ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => done({ ok: false, kind: 'unreachable', message: e.message }));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) {
          done({
            ok: false,
            kind: 'status',
            status: res.statusCode,
            message: `HTTP ${res.statusCode}: ${body.trim().slice(0, 200) || res.statusMessage}`,
          });
          return;
        }
        const index = Number(res.headers['x-consul-index']);
        try {
          done({
            ok: true,
            index: Number.isFinite(index) ? index : 0,
            filteredByAcls:
              res.headers['x-consul-results-filtered-by-acls'] === 'true' ||
              // Consul 1.14 does not flag filtered health results: with ACLs on and deny by
              // default, a query without a token sees nothing, whatever is registered.
              (!conn.token && res.headers['x-consul-default-acl-policy'] === 'deny'),
            ...instancesOf(JSON.parse(body)),
          });
        } catch (e) {
          done({
            ok: false,
            kind: 'status',
            status: 200,
            message: `unreadable answer: ${(e as Error).message}`,
          });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within the blocking wait')));
    req.on('error', (e) => done({ ok: false, kind: 'unreachable', message: e.message }));
    req.end();
  });
}

function splitHostPort(address: string): [string, string | undefined] {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (m) return [m[1]!, m[2]];
  const colon = address.lastIndexOf(':');
  if (colon > 0 && address.indexOf(':') === colon) return [address.slice(0, colon), address.slice(colon + 1)];
  return [address, undefined];
}

/** Service.Address when set, else the node's Address (Consul's rule); IPs only. */
function instancesOf(entries: unknown): { instances: ConsulInstance[]; skipped: string[] } {
  const instances: ConsulInstance[] = [];
  const skipped: string[] = [];
  for (const e of Array.isArray(entries) ? entries : []) {
    const node = (e as { Node?: { Node?: unknown; Address?: unknown } }).Node ?? {};
    const svc = (e as { Service?: { ID?: unknown; Address?: unknown; Port?: unknown } }).Service ?? {};
    const address =
      typeof svc.Address === 'string' && svc.Address !== ''
        ? svc.Address
        : typeof node.Address === 'string'
          ? node.Address
          : '';
    const id = typeof svc.ID === 'string' ? svc.ID : '';
    const port = svc.Port;
    if (isIP(address) === 0 || !Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      skipped.push(`${id || '?'} (${address || 'no address'}:${String(port)})`);
      continue;
    }
    instances.push({
      id,
      node: typeof node.Node === 'string' ? node.Node : '',
      address,
      port: port as number,
    });
  }
  return { instances, skipped };
}
