export { type HttpDiagnosticCode, httpDiagnosticCodes } from './codes.js';
export { HttpPluginConfig } from './config.js';
export { hostGlobsIntersect, isValidHostGlob } from './hostglob.js';
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
export { httpPlugin } from './plugin.js';
export { HostSpec } from './schemas/host.js';
export { ListenerSpec } from './schemas/listener.js';
export { MappingSpec } from './schemas/mapping.js';
export { AmbassadorModuleConfig, ModuleSpec } from './schemas/module.js';
export {
  ConsulResolverSpec,
  KubernetesEndpointResolverSpec,
  KubernetesServiceResolverSpec,
} from './schemas/resolvers.js';
export { TLSContextSettings, TLSContextSpec } from './schemas/tlscontext.js';

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
