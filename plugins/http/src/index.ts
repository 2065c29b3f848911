export { httpPlugin } from './plugin.js';
export { httpDiagnosticCodes, type HttpDiagnosticCode } from './codes.js';
export { HttpPluginConfig } from './config.js';
export { MappingSpec } from './schemas/mapping.js';
export { HostSpec } from './schemas/host.js';
export { ListenerSpec } from './schemas/listener.js';
export { TLSContextSpec, TLSContextSettings } from './schemas/tlscontext.js';
export { ModuleSpec, AmbassadorModuleConfig } from './schemas/module.js';
export {
  ConsulResolverSpec,
  KubernetesEndpointResolverSpec,
  KubernetesServiceResolverSpec,
} from './schemas/resolvers.js';
export type {
  HttpHost,
  HttpListener,
  HttpMapping,
  HttpModule,
  HttpResolver,
  HttpTLSContext,
  InsecureAction,
  LabelSelector,
  ProtocolLayer,
} from './model.js';
export { ExtKey as HttpExtKey } from './model.js';
export { hostGlobsIntersect, isValidHostGlob } from './hostglob.js';

/** Schemas by kind, for the CRD generator. */
import { HostSpec } from './schemas/host.js';
import { ListenerSpec } from './schemas/listener.js';
import { MappingSpec } from './schemas/mapping.js';
import { ModuleSpec } from './schemas/module.js';
import {
  ConsulResolverSpec,
  KubernetesEndpointResolverSpec,
  KubernetesServiceResolverSpec,
} from './schemas/resolvers.js';
import { TLSContextSpec } from './schemas/tlscontext.js';
export const httpSpecSchemas = {
  Mapping: MappingSpec,
  Host: HostSpec,
  Listener: ListenerSpec,
  TLSContext: TLSContextSpec,
  Module: ModuleSpec,
  KubernetesServiceResolver: KubernetesServiceResolverSpec,
  KubernetesEndpointResolver: KubernetesEndpointResolverSpec,
  ConsulResolver: ConsulResolverSpec,
} as const;
