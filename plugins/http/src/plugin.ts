import { definePlugin } from '@attache/core';
import { buildClusters, buildHttp } from './build/build-http.js';
import { httpDiagnosticCodes } from './codes.js';
import { HttpPluginConfig } from './config.js';
import { pruneClusters } from './finalize/prune.js';
import { shareRouteConfigs } from './finalize/share-routes.js';
import { ingestHosts } from './ingest/hosts.js';
import { ingestListeners } from './ingest/listeners.js';
import { ingestMappings } from './ingest/mappings.js';
import { ingestModule } from './ingest/module.js';
import { ingestResolvers } from './ingest/resolvers.js';
import { ingestTlsContexts } from './ingest/tlscontexts.js';
import { resolveHostTls } from './resolve/host-tls.js';
import { resolveServiceRequests } from './resolve/service-requests.js';
import { resolveTlsTerminations } from './resolve/tls-terminations.js';
import { resolveUpstreams } from './resolve/upstreams.js';

/** The HTTP edge model: Emissary's Listener, Host, Mapping, TLSContext, Module and resolvers. */
export const httpPlugin = definePlugin<HttpPluginConfig>({
  id: 'http',
  description:
    'Emissary getambassador.io Listener, Host, Mapping, TLSContext, Module and resolvers → HTTP listeners, routes, clusters',
  configSchema: HttpPluginConfig,
  owns: [
    'getambassador.io/Mapping',
    'getambassador.io/Host',
    'getambassador.io/Listener',
    'getambassador.io/TLSContext',
    'getambassador.io/Module',
    'getambassador.io/KubernetesServiceResolver',
    'getambassador.io/KubernetesEndpointResolver',
    'getambassador.io/ConsulResolver',
  ],
  consumes: [
    'Secret',
    'Service',
    'Endpoints',
    'discovery.k8s.io/EndpointSlice',
    'Namespace',
    // written by a Consul source (plugins/source-consul): the passing instances of one service
    'attache.io/ConsulEndpoints',
  ],
  register(reg) {
    reg.diagnostics(httpDiagnosticCodes);
    reg.delegateKinds({
      'getambassador.io/AuthService': 'feature-auth',
      'getambassador.io/RateLimitService': 'feature-ratelimit',
      'getambassador.io/LogService': 'feature-logging',
      'getambassador.io/TracingService': 'feature-tracing',
      'getambassador.io/TCPMapping': 'feature-tcp',
    });
    // Emissary Mapping fields that feature plugins implement: without the plugin, a
    // Mapping setting one gets FIELD_NEEDS_PLUGIN naming it instead of losing the field silently.
    reg.delegateFields('getambassador.io/Mapping', {
      '/spec/bypass_auth': 'feature-auth',
      '/spec/auth_context_extensions': 'feature-auth',
      '/spec/auth_service': 'feature-auth',
      '/spec/labels': 'feature-ratelimit',
      '/spec/local_rate_limit': 'feature-ratelimit',
      '/spec/grpc': 'feature-grpc',
      '/spec/grpc_timeout': 'feature-grpc',
      '/spec/grpc_match': 'feature-grpc',
      '/spec/retry_policy/grpc_retry_on': 'feature-grpc',
    });
    reg.delegateFields('getambassador.io/Host', {
      '/spec/auth_service': 'feature-auth',
      '/spec/local_rate_limit': 'feature-ratelimit',
    });
    reg.delegateFields('getambassador.io/Module', {
      '/spec/config/default_labels': 'feature-ratelimit',
      '/spec/config/default_label_domain': 'feature-ratelimit',
      '/spec/config/enable_grpc_web': 'feature-grpc',
      '/spec/config/enable_grpc_http11_bridge': 'feature-grpc',
      '/spec/config/grpc_stats': 'feature-grpc',
    });
    reg.pass({
      id: 'http.ingest-module',
      phase: 'ingest',
      reason:
        'the ambassador Module holds defaults (timeouts, CORS, regex limits) that Mapping validation reads',
      writes: ['http.module', 'ir.regexMaxProgramSize'],
      run: ingestModule,
    });
    reg.pass({
      id: 'http.ingest-resolvers',
      phase: 'ingest',
      reason: 'resolvers are named by Mappings and must be known before services are resolved',
      writes: ['http.resolvers'],
      run: ingestResolvers,
    });
    reg.pass({
      id: 'http.ingest-tlscontexts',
      phase: 'ingest',
      reason: 'TLSContexts are validated on their own; Hosts and Mappings refer to them by name later',
      writes: ['http.tlsContexts'],
      run: ingestTlsContexts,
    });
    reg.pass({
      id: 'http.ingest-hosts',
      phase: 'ingest',
      reason: 'Hosts are validated before their TLS is resolved',
      writes: ['http.hosts'],
      run: ingestHosts,
    });
    reg.pass({
      id: 'http.ingest-listeners',
      phase: 'ingest',
      reason: 'Listeners are validated and deduplicated by port before they bind Hosts',
      writes: ['http.listeners', 'edge.listeners'],
      run: ingestListeners,
    });
    reg.pass({
      id: 'http.ingest-mappings',
      phase: 'ingest',
      reason: 'Mappings are validated after the Module, whose defaults they inherit',
      reads: ['http.module'],
      writes: ['http.mappings'],
      run: ingestMappings,
    });
    reg.pass({
      id: 'http.resolve-host-tls',
      phase: 'resolve',
      reason: 'Host TLS needs Secrets and TLSContexts; the default Host depends on which Hosts survive',
      reads: ['http.hosts', 'http.tlsContexts', 'edge.tlsTerminationRequests'],
      writes: ['http.hosts', 'ir.secrets'],
      run: resolveHostTls,
    });
    reg.pass({
      id: 'http.resolve-upstreams',
      phase: 'resolve',
      reason:
        'services resolve through resolvers into clusters and endpoints; runs after Host TLS so shared Secrets are decoded once',
      reads: [
        'http.mappings',
        'http.module',
        'http.resolvers',
        'http.tlsContexts',
        'ir.secrets',
        'edge.upstreamContributions',
      ],
      writes: ['http.upstreams', 'ir.endpoints'],
      run: resolveUpstreams,
    });
    reg.pass({
      id: 'http.resolve-service-requests',
      phase: 'resolve',
      reason:
        'feature plugins ask in ingest for clusters to their services (auth, rate limit); they resolve like Mapping services, with TLSContexts and Secrets, and the grants are read in attach',
      reads: ['edge.serviceRequests', 'http.module', 'http.resolvers', 'http.tlsContexts', 'ir.secrets'],
      writes: ['edge.serviceGrants', 'ir.clusters'],
      run: resolveServiceRequests,
    });
    reg.pass({
      id: 'http.resolve-tls-terminations',
      phase: 'resolve',
      reason:
        'TCPMappings with a host (feature-tcp) ask in ingest for TLS termination of that SNI name; it comes from a Host (after its TLS is resolved) or a TLSContext listing the name, and the grants are read in attach',
      reads: ['edge.tlsTerminationRequests', 'http.hosts', 'http.tlsContexts', 'ir.secrets'],
      writes: ['edge.tlsTerminationGrants', 'ir.secrets'],
      run: resolveTlsTerminations,
    });
    reg.pass({
      id: 'http.build-clusters',
      phase: 'build',
      reason: 'clusters come from resolved upstreams; routes name them',
      reads: ['http.upstreams', 'http.mappings'],
      writes: ['ir.clusters'],
      run: buildClusters,
    });
    reg.pass({
      id: 'http.build-listeners',
      phase: 'build',
      reason: 'listeners, filter chains, virtual hosts and routes need resolved Hosts, Mappings and clusters',
      reads: [
        'http.hosts',
        'http.listeners',
        'http.mappings',
        'http.upstreams',
        'http.module',
        'ir.clusters',
      ],
      writes: ['ir.listeners', 'ir.routeConfigs', 'http.routeNames', 'http.ownedRouteConfigs', 'http.model'],
      run: buildHttp,
    });
    reg.pass({
      id: 'http.finalize-share-routes',
      phase: 'finalize',
      reason:
        'identical route tables (an XFP Listener pair serves the same one on both ports) become one RouteConfiguration; only after every plugin has edited the routes is it known which are identical',
      reads: ['http.ownedRouteConfigs'],
      writes: ['ir.routeConfigs', 'ir.listeners', 'http.ownedRouteConfigs'],
      run: shareRouteConfigs,
    });
    reg.pass({
      id: 'http.finalize-prune',
      phase: 'finalize',
      reason: 'only after every route exists is it known which clusters are unused',
      reads: ['ir.routeConfigs'],
      writes: ['ir.clusters', 'ir.endpoints'],
      run: pruneClusters,
    });
  },
});
