import type { IRHttpConnectionManager } from '@attache/core';
import type { HttpModule } from '../model.js';
import { accessLog } from './module-access-log.js';
import { gzipFilter } from './module-gzip.js';
import { ipFilter } from './module-ip-filter.js';

/**
 * Adds to a connection manager what the `ambassador` Module asks of every
 * one: the gzip and IP allow/deny filters (each placed by its slot) and the
 * access log. Problems with these keys are reported at ingest. (The gRPC
 * bridge, gRPC-Web and gRPC stats filters belong to feature-grpc.)
 */
export function applyModuleFeatures(hcm: IRHttpConnectionManager, module: HttpModule): void {
  const c = module.config;
  const provenance = module.ref ? [module.ref] : [];
  for (const build of [gzipFilter, ipFilter]) {
    const filter = build(c, provenance);
    if (filter) hcm.filters.push(filter);
  }
  hcm.accessLog = accessLog(c);
}
