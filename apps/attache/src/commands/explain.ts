import { parseArgs } from 'node:util';
import { compareDiagnostics, compile } from '@attache/core';
import {
  type ExplainRequest,
  explainConnection,
  explainRequest,
  formatConnectionExplanation,
  formatExplanation,
  parseHeaderLine,
  parseRequestLine,
} from '@attache/explain';
import { formatDiagnostics } from '../format-diagnostics.js';
import { type CliIO, UsageError } from '../io.js';
import { loadOfflineInputs } from '../offline.js';

export const explainUsage = `usage: attache explain -f PATH… 'METHOD URL' [-H 'name: value']… [--listener PORT] [--sni NAME]
                      [--proxy-protocol] [--json] [--config attache.yaml] [--ambassador-id ID]
       attache explain -f PATH… 'TCP tls://HOST:PORT' | 'TCP tcp://HOST:PORT' [--sni NAME] [--proxy-protocol] [--json]

Compiles the resources and shows what Envoy does with one request: which
Listener and filter chain take the connection, which virtual host and route
(and the Mapping behind it) take the request, and what happens then: the
cluster and its target, the rewritten path and host, redirect, timeout,
headers added. When nothing matches, says why.

The URL's scheme decides the connection: https is TLS with SNI = the host
(--sni overrides), http is cleartext. x-forwarded-proto defaults to the
scheme unless given with -H.

A URL without a port is the request a user types: it is modelled the usual
way, through a Service that forwards port 80 to Envoy's listener on 8080 and
443 to 8443, with the Host header as in the URL (no port); explain says when
it does so. A port in the URL goes to that listener as it is, with the port in
the Host header; --listener PORT sends the request to another listener port
while the URL (and Host header) stay as written.

'TCP tls://db.example.com:8443' explains a raw connection instead (TCPMappings):
TLS with SNI db.example.com (tcp:// is cleartext) to port 8443: which listener
and filter chain take it, whether Envoy terminates TLS (with which certificate)
or passes it through, and the cluster(s) it goes to with their shares.

Exit code 0 when a route takes the request (a cluster the connection), 1 when none does.`;

export async function explainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      file: { type: 'string', short: 'f', multiple: true, default: [] },
      header: { type: 'string', short: 'H', multiple: true, default: [] },
      sni: { type: 'string' },
      listener: { type: 'string' },
      'proxy-protocol': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      'ambassador-id': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0)
    throw new UsageError("give the request as 'METHOD URL', e.g. 'GET https://example.com/'");
  const line = positionals.join(' ').trim();
  if (/^TCP\s/i.test(line)) return explainTcp(line.replace(/^TCP\s+/i, ''), values, io);
  const { method, url } = parseRequestLine(positionals.join(' '));
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`'${url}' is not an http:// or https:// URL`);
  const headers: Array<[string, string]> = [];
  for (const line of values.header) {
    const header = parseHeaderLine(line);
    if (!header) throw new UsageError(`-H '${line}' is not 'name: value'`);
    headers.push(header);
  }
  const port = values.listener === undefined ? undefined : listenerPort(values.listener);

  const inputs = await loadOfflineInputs(values.file, values.config, io);
  const ambassadorId = values['ambassador-id'] ?? inputs.config.ambassadorIds[0] ?? 'default';
  const result = compile(inputs.resources, inputs.pipeline, { ambassadorId });

  const request: ExplainRequest = { method, url, headers };
  if (port !== undefined) request.listenerPort = port;
  if (values.sni !== undefined) request.tls = { sni: values.sni };
  if (values['proxy-protocol']) request.proxyProtocol = true;
  const explanation = explainRequest({ xds: result.xds, ir: result.ir }, request);
  io.stdout(values.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));

  // Errors explain many a missing route: show them, as validate would.
  const errors = [...inputs.sourceDiagnostics, ...result.diagnostics]
    .filter((d) => d.severity === 'error')
    .sort(compareDiagnostics);
  if (errors.length > 0) {
    io.stderr(
      `\n${errors.length} error${errors.length === 1 ? '' : 's'} in the input (resources with errors are left out):\n`,
    );
    io.stderr(formatDiagnostics(errors));
  }
  return explanation.outcomes.some((o) => o.action.kind !== 'no_route') ? 0 : 1;
}

/** `attache explain 'TCP tls://host:port'`: one raw connection (TCPMappings). */
async function explainTcp(
  target: string,
  values: {
    file: string[];
    config?: string | undefined;
    sni?: string | undefined;
    'proxy-protocol': boolean;
    json: boolean;
    'ambassador-id'?: string | undefined;
  },
  io: CliIO,
): Promise<number> {
  const inputs = await loadOfflineInputs(values.file, values.config, io);
  const ambassadorId = values['ambassador-id'] ?? inputs.config.ambassadorIds[0] ?? 'default';
  const result = compile(inputs.resources, inputs.pipeline, { ambassadorId });
  const explanation = explainConnection(
    { xds: result.xds, ir: result.ir },
    {
      target,
      ...(values.sni !== undefined ? { sni: values.sni } : {}),
      ...(values['proxy-protocol'] ? { proxyProtocol: true } : {}),
    },
  );
  if (explanation.failure?.stage === 'connection') throw new UsageError(explanation.failure.message);
  io.stdout(
    values.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatConnectionExplanation(explanation),
  );
  const errors = [...inputs.sourceDiagnostics, ...result.diagnostics]
    .filter((d) => d.severity === 'error')
    .sort(compareDiagnostics);
  if (errors.length > 0) {
    io.stderr(
      `\n${errors.length} error${errors.length === 1 ? '' : 's'} in the input (resources with errors are left out):\n`,
    );
    io.stderr(formatDiagnostics(errors));
  }
  return explanation.upstreams.length > 0 ? 0 : 1;
}

function listenerPort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--listener '${text}' is not a port (1-65535)`);
  return port;
}
