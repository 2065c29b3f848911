// Traffic and counters for the delivery, restart and NACK suites: requests
// through Envoy until a behaviour shows, bounded request loops that count
// failures, and the push/ACK/NACK counters on both ends of the ADS stream.
import type { AttacheProcess, EnvoyProcess } from './edge.js';
import { request } from './edge.js';

/** Which echo backend answered, or the status when no echo did (404 from Envoy, 503, …). */
export async function backendAt(port: number, path: string, host = 'edge.example'): Promise<string> {
  const r = await request(port, path, { host, timeoutMs: 5_000 }).catch((e: Error) => ({
    status: 0,
    body: e.message,
    headers: {},
  }));
  if (r.status !== 200) return `status ${r.status}`;
  return String((JSON.parse(r.body) as { backend?: string }).backend);
}

/** Polls requests until `path` is answered as `expected` (a backend name, or 'status 404'). */
export async function waitForBackend(
  envoy: EnvoyProcess,
  port: number,
  path: string,
  expected: string,
  timeoutMs = 15_000,
): Promise<void> {
  let last = '';
  await envoy
    .waitFor(
      async () => {
        last = await backendAt(port, path);
        return last === expected;
      },
      { what: `GET ${path} answered by ${expected}`, timeoutMs },
    )
    .catch((e: Error) => {
      throw new Error(`${e.message}\n(last answer: ${last})`);
    });
}

export interface LoopResult {
  total: number;
  /** Responses that were not 2xx (or requests that failed), with what came back. */
  failures: Array<{ path: string; status: number; body: string }>;
  /** Backend name → answers. */
  backends: Map<string, number>;
}

/**
 * Sends requests to `paths` in turn from `workers` concurrent loops until
 * `done()` says so (checked after each answer) or `max` requests went out, and
 * counts every answer. Each request is a new connection: nothing is pinned to
 * a listener or a cluster that a change is replacing.
 */
export async function requestLoop(options: {
  port: number;
  paths: readonly string[];
  workers?: number;
  max: number;
  done: (result: LoopResult) => boolean;
  host?: string;
}): Promise<LoopResult> {
  const result: LoopResult = { total: 0, failures: [], backends: new Map() };
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < options.max) {
      const path = options.paths[next++ % options.paths.length] as string;
      const r = await request(options.port, path, {
        host: options.host ?? 'edge.example',
        timeoutMs: 5_000,
      }).catch((e: Error) => ({ status: 0, body: e.message, headers: {} }));
      result.total++;
      if (r.status < 200 || r.status > 299) {
        result.failures.push({ path, status: r.status, body: r.body.slice(0, 200) });
      } else {
        const backend = String((JSON.parse(r.body) as { backend?: string }).backend);
        result.backends.set(backend, (result.backends.get(backend) ?? 0) + 1);
      }
      if (options.done(result)) stop = true;
    }
  };
  await Promise.all(Array.from({ length: options.workers ?? 4 }, worker));
  return result;
}

/** A request loop running in the background until `stop()` (for outages that last as long as a test wants). */
export function backgroundLoop(options: { port: number; paths: readonly string[]; workers?: number }): {
  stop(): Promise<LoopResult>;
  /** Answers so far. */
  readonly total: number;
} {
  let stopped = false;
  let result: LoopResult | undefined;
  const running = requestLoop({
    ...options,
    max: Number.MAX_SAFE_INTEGER,
    done: (r) => {
      result = r;
      return stopped;
    },
  });
  return {
    get total() {
      return result?.total ?? 0;
    },
    async stop() {
      stopped = true;
      return running;
    },
  };
}

/** The attache_xds_* counters from Attaché's /metrics, keyed `name{type,variant}` → value. */
export async function adsCounters(attache: AttacheProcess): Promise<Map<string, number>> {
  const r = await attache.api('/metrics');
  const out = new Map<string, number>();
  for (const line of String(r.body).split('\n')) {
    const m = /^(attache_xds_\w+)\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (!m?.[1] || m[2] === undefined || !m[3]) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    out.set(`${m[1]}{${labels.type ?? labels.service},${labels.variant}}`, Number(m[3]));
  }
  return out;
}

/** Sum of an Envoy counter over every stat name ending in `.${suffix}` (e.g. `no_cluster`). */
export async function envoyCounter(envoy: EnvoyProcess, suffix: string): Promise<number> {
  let sum = 0;
  for (const [name, value] of await envoy.stats(suffix)) if (name.endsWith(`.${suffix}`)) sum += value;
  return sum;
}

/** The xDS variant of each open stream, as Attaché's /api/streams reports it. */
export async function streamVariants(attache: AttacheProcess): Promise<string[]> {
  const r = await attache.api('/api/streams');
  return (r.body as { streams: Array<{ variant: string }> }).streams.map((s) => s.variant);
}
