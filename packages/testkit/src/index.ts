export { AccessLogReceiver, type ReceivedAccessLog } from './access-log-receiver.js';
export {
  ConsulAgent,
  type ConsulAgentOptions,
  type ConsulInstanceSpec,
  consulGetScript,
  consulMissingMessage,
  defaultConsulVersion,
  findConsulBinary,
} from './consul-agent.js';
export { type EchoRequest, EchoServer, type EchoServerOptions } from './echo-upstream.js';
export {
  cachedEnvoyPath,
  defaultEnvoyVersion,
  envoyMissingMessage,
  findEnvoyBinary,
} from './envoy-binary.js';
export { EnvoyProcess, type EnvoyStartOptions, type XdsStats, type XdsTypeStats } from './envoy-process.js';
export {
  type AuthCheck,
  type AuthDecision,
  type AuthPolicy,
  GrpcAuthServer,
  HttpAuthServer,
} from './ext-authz-servers.js';
export { extensionNamesIn } from './extension-names.js';
export {
  documentedFields,
  exampleSpecsOfKind,
  type FieldCoverage,
  fieldCoverage,
  goldenSpecsOfKind,
  schemaFieldPaths,
  setsField,
} from './field-coverage.js';
export { freePort, freePorts } from './free-port.js';
export * from './golden.js';
export {
  echoServiceDefinition,
  type GrpcEchoReply,
  GrpcEchoServer,
  grpcEchoClient,
} from './grpc-upstream.js';
export {
  commonHostileValues,
  type HostileMutation,
  hostileFailures,
  hostileMutations,
  specValuePaths,
} from './hostile-input.js';
export type { FakeKubeApiServerOptions, RecordedRequest } from './kube-fake-apiserver.js';
export { FakeKubeApiServer, startFakeKubeApiServer } from './kube-fake-apiserver.js';
export type { KubeObject, KubeResourceType } from './kube-resource-types.js';
export { pipelineWithRuns } from './pipeline-with-runs.js';
export { randomInputStep } from './random-input-step.js';
export {
  cachedRateLimitPath,
  defaultRateLimitVersion,
  findRateLimitBinary,
  findRedisServer,
  type RateLimitConfigDescriptor,
  type RateLimitRequestJson,
  RateLimitService,
  type RateLimitServiceOptions,
  rateLimitClient,
  rateLimitMissingMessage,
  type SeenDescriptor,
} from './ratelimit-service.js';
export { collectGarbage, weakly } from './retention.js';
export { httpListener, storedResource } from './stored-resource.js';
export {
  TcpEchoServer,
  type TcpEchoServerOptions,
  type TcpExchange,
  type TcpExchangeOptions,
  tcpExchange,
} from './tcp-echo.js';
export { type CertificateOptions, makeCa, makeCertificate, type PemPair, tlsSecret } from './tls-certs.js';
export {
  DatadogAgentReceiver,
  decodeOtlpTraces,
  OtlpTraceReceiver,
  type ReceivedSpan,
  ZipkinReceiver,
} from './trace-receivers.js';
export { type ValuePath, valuePaths, withValue } from './value-paths.js';
export { WebSocketEchoServer } from './ws-echo.js';
export * from './xds-client.js';
export * from './xds-grpc.js';
export * from './xds-snapshot.js';
