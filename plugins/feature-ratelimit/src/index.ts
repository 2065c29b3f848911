/**
 * @attache/plugin-feature-ratelimit — Emissary's RateLimitService and Mapping
 * `labels` (global rate limiting), Module `default_labels`, and local
 * rate limiting (`local_rate_limit` on Mappings and Hosts).
 */
export { type RatelimitDiagnosticCode, ratelimitDiagnosticCodes } from './codes.js';
export { type ChosenRateLimitService, RateLimitServiceExt } from './ingest.js';
export { type LabelAction, type LabelGroup, parseLabels } from './labels.js';
export { ratelimitPlugin } from './plugin.js';
export { describeGroup, envoyRateLimits, mergeDefaultLabels } from './rate-limits.js';
export {
  DefaultLabels,
  LocalRateLimitSpec,
  MappingLabels,
  RateLimitServiceSpec,
  ratelimitFieldExtensions,
} from './schemas.js';

/** Schemas by kind, for the CRD generator. */
import { RateLimitServiceSpec } from './service.js';
export const ratelimitSpecSchemas = { RateLimitService: RateLimitServiceSpec } as const;
