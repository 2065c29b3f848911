export type {
  DirectResponseAction,
  ForwardAction,
  HeaderLevel,
  NoRouteAction,
  RedirectAction,
  RouteOutcomeAction,
  UpstreamCluster,
} from './actions.js';
export { normaliseCors } from './actions.js';
export type { EnvoyConfigInput } from './build-model.js';
export { buildEnvoyModel, describeTarget } from './build-model.js';
export type { Explanation, FailureStage, Outcome, RouteEvaluation } from './explain.js';
export { explainRequest } from './explain.js';
export {
  type ConnectionExplanation,
  type ExplainConnection,
  explainConnection,
  formatConnectionExplanation,
  parseConnectionTarget,
} from './explain-connection.js';
export { formatAction, formatExplanation } from './format.js';
export type { Json, JsonObject } from './json.js';
export { durationMs, sortKeys, stableStringify, toSnakeKeys } from './json.js';
export type * from './model.js';
export { fractionValue } from './normalise-route.js';
export type { ExplainRequest } from './request.js';
export { parseHeaderLine, parseRequestLine, servicePortTargets } from './request.js';
export { matchRoute } from './route-match.js';
export { selectFilterChain } from './select-filter-chain.js';
export { selectVirtualHost } from './select-virtual-host.js';
export { compileRegex, regexFullMatch } from './string-match.js';
