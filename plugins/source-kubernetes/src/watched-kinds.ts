/** What the source does with objects of a watched kind. */
export type KindRole =
  | 'ambassador'
  | 'service'
  | 'ingress'
  | 'ingressclass'
  | 'secret'
  | 'endpoints'
  | 'endpointslice'
  | 'namespace';

export interface WatchedKind {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  role: KindRole;
  /** Whether the configured label/field selectors narrow this kind (config-bearing kinds only). */
  selectable: boolean;
}

export const ambassadorGroup = 'getambassador.io';
export const ambassadorVersion = 'v3alpha1';

/** The getambassador.io kinds the source watches (v3alpha1; older versions reach us through annotations). */
export const ambassadorKinds: ReadonlyArray<{ kind: string; plural: string }> = [
  { kind: 'AuthService', plural: 'authservices' },
  { kind: 'ConsulResolver', plural: 'consulresolvers' },
  { kind: 'Host', plural: 'hosts' },
  { kind: 'KubernetesEndpointResolver', plural: 'kubernetesendpointresolvers' },
  { kind: 'KubernetesServiceResolver', plural: 'kubernetesserviceresolvers' },
  { kind: 'Listener', plural: 'listeners' },
  { kind: 'LogService', plural: 'logservices' },
  { kind: 'Mapping', plural: 'mappings' },
  { kind: 'Module', plural: 'modules' },
  { kind: 'RateLimitService', plural: 'ratelimitservices' },
  { kind: 'TCPMapping', plural: 'tcpmappings' },
  { kind: 'TLSContext', plural: 'tlscontexts' },
  { kind: 'TracingService', plural: 'tracingservices' },
];

export const watchedKinds: readonly WatchedKind[] = [
  ...ambassadorKinds.map(
    (k): WatchedKind => ({
      apiVersion: `${ambassadorGroup}/${ambassadorVersion}`,
      kind: k.kind,
      plural: k.plural,
      namespaced: true,
      role: 'ambassador',
      selectable: true,
    }),
  ),
  {
    apiVersion: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    role: 'service',
    selectable: true,
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    plural: 'ingresses',
    namespaced: true,
    role: 'ingress',
    selectable: true,
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    plural: 'ingressclasses',
    namespaced: false,
    role: 'ingressclass',
    selectable: false,
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    role: 'secret',
    selectable: false,
  },
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    plural: 'endpoints',
    namespaced: true,
    role: 'endpoints',
    selectable: false,
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    plural: 'endpointslices',
    namespaced: true,
    role: 'endpointslice',
    selectable: false,
  },
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    role: 'namespace',
    selectable: false,
  },
];

/** The collection path of a kind, in one namespace or across all. */
export function collectionPath(
  kind: Pick<WatchedKind, 'apiVersion' | 'plural' | 'namespaced'>,
  namespace?: string,
): string {
  const base = kind.apiVersion.includes('/') ? `/apis/${kind.apiVersion}` : `/api/${kind.apiVersion}`;
  return kind.namespaced && namespace
    ? `${base}/namespaces/${namespace}/${kind.plural}`
    : `${base}/${kind.plural}`;
}

/** The path of one object (optionally a subresource such as 'status'). */
export function objectPath(
  kind: Pick<WatchedKind, 'apiVersion' | 'plural' | 'namespaced'>,
  namespace: string | undefined,
  name: string,
  subresource?: string,
): string {
  const base = collectionPath(kind, kind.namespaced ? namespace : undefined);
  return `${base}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}
