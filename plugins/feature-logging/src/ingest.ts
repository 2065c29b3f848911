import {
  defineExtPoint,
  firstUsableService,
  type PassContext,
  requestServiceCluster,
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

/**
 * Validates every LogService of this instance, keeps the first usable one
 * (by namespace/name; Emissary too keeps one) and asks for a gRPC (HTTP/2)
 * cluster to its `service`.
 */
export function ingestLogServices(ctx: PassContext): void {
  const chosen = firstUsableService(ctx, {
    kind: logServiceKind,
    label: 'LogService',
    read: readLogService,
    conflictCode: 'LOGSERVICE_CONFLICT',
  });
  if (!chosen) {
    writeExt(ctx.ir, LogServiceExt, null);
    return;
  }
  const requestId = requestServiceCluster(ctx, 'feature-logging', chosen, {
    http2: true,
    namePrefix: 'cluster_logging',
  });
  writeExt(ctx.ir, LogServiceExt, { config: chosen, requestId });
}
