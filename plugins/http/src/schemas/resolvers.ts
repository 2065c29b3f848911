import { type Static, Type } from '@sinclair/typebox';
import { AmbassadorId } from './common.js';

/** KubernetesServiceResolver: upstreams by the Service's DNS name (STRICT_DNS). */
export const KubernetesServiceResolverSpec = Type.Object(
  { ambassador_id: Type.Optional(AmbassadorId) },
  { additionalProperties: true },
);
/** KubernetesEndpointResolver: upstreams by the Service's endpoints (EDS). */
export const KubernetesEndpointResolverSpec = KubernetesServiceResolverSpec;
/** ConsulResolver: upstreams from Consul's catalog (EDS filled by a Consul source). */
export const ConsulResolverSpec = Type.Object(
  {
    ambassador_id: Type.Optional(AmbassadorId),
    address: Type.String({ minLength: 1, description: 'Consul agent address, host:port.' }),
    datacenter: Type.String({ minLength: 1 }),
  },
  { additionalProperties: true },
);
export type ConsulResolverSpec = Static<typeof ConsulResolverSpec>;
