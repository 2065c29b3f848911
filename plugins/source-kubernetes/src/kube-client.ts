import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/** An API error with the Kubernetes status code and reason, so callers can branch on 404/409/410. */
export class KubeRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface KubeConfigOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/** kubeconfig file (+ context) when given, else in-cluster, else the usual default lookup. */
export function loadKubeConfig(opts: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  return kc;
}

/**
 * Raw JSON requests against the API server, authenticated by the KubeConfig.
 * The generated typed clients turn timestamps into Dates and drop unknown
 * fields; the source wants the objects exactly as the server sent them.
 */
export class KubeClient {
  constructor(readonly kubeConfig: KubeConfig) {}

  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    const opts: RequestOptions = { method, headers: { accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const isHttps = url.protocol === 'https:';
    // applyToHTTPSOptions always builds an https.Agent; plain http servers (tests, kubectl proxy) need none.
    // No keep-alive there either: a pooled socket the server closed while idle would fail the next request.
    if (!isHttps) opts.agent = false;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      opts.headers = {
        ...opts.headers,
        'content-type': contentType,
        'content-length': Buffer.byteLength(payload),
      };
    }
    return new Promise<T>((resolve, reject) => {
      const req = (isHttps ? httpsRequest : httpRequest)(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) {
            resolve(parsed as T);
            return;
          }
          const status = (parsed ?? {}) as { reason?: string; message?: string };
          reject(
            new KubeRequestError(
              code,
              status.reason ?? '',
              `${method} ${path}: ${code} ${status.message ?? text.slice(0, 200)}`,
            ),
          );
        });
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
