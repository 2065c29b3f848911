/**
 * @attache/plugin-http — Emissary's HTTP edge model.
 *
 * Feature plugins read the normalised model from `ir.ext` (keys in `HttpExtKey`):
 *
 * - `ir.ext['http.mappings']: HttpMapping[]` — valid Mappings (v2 converted), sorted
 *   by namespace/name. `bypassAuth`, `authContextExtensions` and `rateLimitLabels`
 *   carry `bypass_auth`, `auth_context_extensions` and `labels`; `routeNames` lists the
 *   IR routes the Mapping produced (filled in the build phase, so read it in `attach`).
 *   Every IR route also carries the Mapping's ref in its provenance.
 * - `ir.ext['http.hosts']: HttpHost[]`, `ir.ext['http.listeners']: HttpListener[]`,
 *   `ir.ext['http.tlsContexts']: HttpTLSContext[]`, `ir.ext['http.module']: HttpModule`,
 *   `ir.ext['http.resolvers']: Record<string, HttpResolver>`.
 *
 * The spec schemas (`httpSpecSchemas`) are structural JSON Schema for CRD generation.
 */
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
