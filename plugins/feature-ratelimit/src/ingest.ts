import {
  defineExtPoint,
  type PassContext,
  refOf,
  requestServices,
  type ServiceRequest,
  writeExt,
} from '@attache/core';
import { type RateLimitServiceConfig, readRateLimitService } from './service.js';

/** The RateLimitService this instance uses (if any) and the id of its cluster request. */
export interface ChosenRateLimitService {
  config: RateLimitServiceConfig;
  requestId: string;
}

export const RateLimitServiceExt = defineExtPoint<ChosenRateLimitService | null>(
  'feature-ratelimit.service',
  'the RateLimitService in use (null: none), written by feature-ratelimit in ingest',
);

/** Emissary's ambassador_id rule: none means "default"; otherwise a string or list naming ours. */
export function servesAmbassadorId(spec: unknown, ours: string): boolean {
  const raw = (spec as { ambassador_id?: unknown } | undefined)?.ambassador_id;
  if (raw === undefined || raw === null) return ours === 'default';
  if (typeof raw === 'string') return raw === ours;
  if (Array.isArray(raw)) return raw.length === 0 ? ours === 'default' : raw.includes(ours);
  return false;
}

export const rateLimitServiceKind = 'getambassador.io/RateLimitService';

/**
 * Validates every RateLimitService of this instance, keeps the first usable
 * one (by namespace/name; the others get RATELIMIT_SERVICE_CONFLICT) and asks
 * for a gRPC (HTTP/2) cluster to its `service`.
 */
export function ingestRateLimitServices(ctx: PassContext): void {
  const usable: RateLimitServiceConfig[] = [];
  for (const stored of ctx.resources(rateLimitServiceKind)) {
    const resource = stored.resource as { spec?: unknown };
    if (resource === null || typeof resource !== 'object') continue;
    if (!servesAmbassadorId(resource.spec, ctx.options.ambassadorId ?? 'default')) continue;
    const ref = refOf(stored.resource, stored.origin);
    const { config, problems } = readRateLimitService(ref, resource.spec);
    for (const p of problems) ctx.report({ code: p.code, message: p.message, resource: ref, path: p.path });
    if (config) usable.push(config);
  }
  const [chosen, ...others] = usable;
  for (const other of others) {
    ctx.report({
      code: 'RATELIMIT_SERVICE_CONFLICT',
      resource: other.ref,
      message: `only one RateLimitService is supported; ${chosen!.namespace}/${chosen!.ref.name} (first by namespace/name) is used and this one is ignored; delete one of them`,
    });
  }
  if (!chosen) {
    writeExt(ctx.ir, RateLimitServiceExt, null);
    return;
  }
  const request: ServiceRequest = {
    id: `feature-ratelimit/${chosen.namespace}/${chosen.ref.name}`,
    ref: chosen.ref,
    namespace: chosen.namespace,
    service: chosen.service,
    servicePath: '/spec/service',
    tlsPath: '/spec/tls',
    http2: true,
    namePrefix: 'cluster',
  };
  if (chosen.tls !== undefined) request.tls = chosen.tls;
  if (chosen.statsName !== undefined) request.statsName = chosen.statsName;
  requestServices(ctx.ir.ext, [request]);
  writeExt(ctx.ir, RateLimitServiceExt, { config: chosen, requestId: request.id });
}
