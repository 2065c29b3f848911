import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The services the bundled example (examples/quickstart) routes to. */
export const quickstartServices = ['quote', 'users', 'users-beta', 'catalog-v1', 'catalog-v2'] as const;

const quotes = [
  'Simple things should be simple, complex things should be possible.',
  'Make it work, make it right, make it fast.',
  'The network is reliable. (It is not.)',
  'There is no place like 127.0.0.1.',
];

/** Headers worth showing back: what the route added, and how Envoy forwarded the request. */
function shownHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-') && name !== 'x-request-id' && value !== undefined) {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}

export interface DemoUpstreams {
  /** Service name → port on 127.0.0.1. */
  ports: Map<string, number>;
  close(): Promise<void>;
}

/**
 * One tiny HTTP server per example service on 127.0.0.1, each answering with
 * its name, the path it received (after the Mapping's rewrite), the Host and
 * the x- headers Envoy sent: enough to see routing work at a glance.
 */
export async function startDemoUpstreams(
  names: readonly string[] = quickstartServices,
): Promise<DemoUpstreams> {
  const servers: Server[] = [];
  const ports = new Map<string, number>();
  let served = 0;
  for (const name of names) {
    const server = createServer((req, res) => {
      const body: Record<string, unknown> = {
        service: name,
        path: req.url,
        host: req.headers.host,
        headers: shownHeaders(req),
      };
      if (name === 'quote') body.quote = quotes[served++ % quotes.length];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    ports.set(name, (server.address() as AddressInfo).port);
  }
  return {
    ports,
    async close() {
      for (const server of servers) server.closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
