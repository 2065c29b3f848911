import {
  defineExtPoint,
  type PassContext,
  refOf,
  requestServices,
  type ServiceRequest,
  writeExt,
} from '@attache/core';
import { type LogServiceConfig, readLogService } from './logservice.js';

/** The LogService this instance uses (if any) and the id of its cluster request. */
export interface ChosenLogService {
  config: LogServiceConfig;
  requestId: string;
}

export const LogServiceExt = defineExtPoint<ChosenLogService | null>(
  'feature-logging.service',
  'the LogService in use (null: none), written by feature-logging in ingest',
);

export const logServiceKind = 'getambassador.io/LogService';

/** Emissary's ambassador_id rule: none means "default"; otherwise a string or list naming ours. */
export function servesAmbassadorId(spec: unknown, ours: string): boolean {
  const raw = (spec as { ambassador_id?: unknown } | undefined)?.ambassador_id;
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}

/**
 * Validates every LogService of this instance, keeps the first usable one
 * (by namespace/name; Emissary too keeps one) and asks for a gRPC (HTTP/2)
 * cluster to its `service`.
 */
export function ingestLogServices(ctx: PassContext): void {
  const usable: LogServiceConfig[] = [];
  for (const stored of ctx.resources(logServiceKind)) {
    const resource = stored.resource as { spec?: unknown };
    if (resource === null || typeof resource !== 'object') continue;
    if (!servesAmbassadorId(resource.spec, ctx.options.ambassadorId ?? 'default')) continue;
    const ref = refOf(stored.resource, stored.origin);
    const { config, problems } = readLogService(ref, resource.spec);
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (config) usable.push(config);
  }
  const [chosen, ...others] = usable;
  for (const other of others) {
    ctx.report({
      code: 'LOGSERVICE_CONFLICT',
      resource: other.ref,
      message: `only one LogService is supported; ${chosen!.namespace}/${chosen!.ref.name} (first by namespace/name) is used and this one is ignored; delete one of them`,
    });
  }
  if (!chosen) {
    writeExt(ctx.ir, LogServiceExt, null);
    return;
  }
  const request: ServiceRequest = {
    id: `feature-logging/${chosen.namespace}/${chosen.ref.name}`,
    ref: chosen.ref,
    namespace: chosen.namespace,
    service: chosen.service,
    servicePath: '/spec/service',
    http2: true,
    namePrefix: 'cluster_logging',
  };
  if (chosen.statsName !== undefined) request.statsName = chosen.statsName;
  requestServices(ctx.ir.ext, [request]);
  writeExt(ctx.ir, LogServiceExt, { config: chosen, requestId: request.id });
}
