import { authFieldExtensions, authSpecSchemas } from '@attache/plugin-feature-auth';
import { grpcFieldExtensions } from '@attache/plugin-feature-grpc';
import { loggingSpecSchemas } from '@attache/plugin-feature-logging';
import { ratelimitFieldExtensions, ratelimitSpecSchemas } from '@attache/plugin-feature-ratelimit';
import { tcpSpecSchemas } from '@attache/plugin-feature-tcp';
import { tracingSpecSchemas } from '@attache/plugin-feature-tracing';
import { httpSpecSchemas } from '@attache/plugin-http';
import type { CrdKind } from './crds.js';
import { type ClaimedField, withClaimedFields } from './field-extensions.js';
import type { JsonSchema } from './to-structural.js';

/** Fields feature plugins claim on the http plugin's kinds (described in the CRDs, not pruned). */
const claims: ClaimedField[] = [...authFieldExtensions, ...ratelimitFieldExtensions, ...grpcFieldExtensions];
const specs = Object.fromEntries(
  Object.entries({
    ...httpSpecSchemas,
    ...authSpecSchemas,
    ...ratelimitSpecSchemas,
    ...tcpSpecSchemas,
    ...loggingSpecSchemas,
    ...tracingSpecSchemas,
  } as unknown as Record<string, JsonSchema>).map(([kind, schema]) => [
    kind,
    withClaimedFields(kind, schema, claims),
  ]),
) as Record<string, JsonSchema | undefined>;

/**
 * Every getambassador.io kind Attaché installs. The spec schema comes from the
 * plugin that validates the kind; a kind whose plugin does not export one gets
 * a preserved spec.
 */
export const crdKinds: readonly CrdKind[] = [
  { kind: 'AuthService', plural: 'authservices', specSchema: specs.AuthService },
  { kind: 'ConsulResolver', plural: 'consulresolvers', specSchema: specs.ConsulResolver },
  {
    kind: 'Host',
    plural: 'hosts',
    specSchema: specs.Host,
    columns: [{ name: 'Hostname', jsonPath: '.spec.hostname' }],
  },
  {
    kind: 'KubernetesEndpointResolver',
    plural: 'kubernetesendpointresolvers',
    specSchema: specs.KubernetesEndpointResolver,
  },
  {
    kind: 'KubernetesServiceResolver',
    plural: 'kubernetesserviceresolvers',
    specSchema: specs.KubernetesServiceResolver,
  },
  {
    kind: 'Listener',
    plural: 'listeners',
    specSchema: specs.Listener,
    columns: [{ name: 'Port', jsonPath: '.spec.port' }],
  },
  { kind: 'LogService', plural: 'logservices', specSchema: specs.LogService },
  {
    kind: 'Mapping',
    plural: 'mappings',
    specSchema: specs.Mapping,
    columns: [
      { name: 'Hostname', jsonPath: '.spec.hostname' },
      { name: 'Prefix', jsonPath: '.spec.prefix' },
      { name: 'Service', jsonPath: '.spec.service' },
    ],
  },
  { kind: 'Module', plural: 'modules', specSchema: specs.Module },
  { kind: 'RateLimitService', plural: 'ratelimitservices', specSchema: specs.RateLimitService },
  {
    kind: 'TCPMapping',
    plural: 'tcpmappings',
    specSchema: specs.TCPMapping,
    columns: [{ name: 'Port', jsonPath: '.spec.port' }],
  },
  { kind: 'TLSContext', plural: 'tlscontexts', specSchema: specs.TLSContext },
  { kind: 'TracingService', plural: 'tracingservices', specSchema: specs.TracingService },
];
