import type { DiagnosticInput, ResourceRef, StoredResource } from '@attache/core';
import type { KubernetesObject } from '@kubernetes/client-node';

interface ServiceBackend {
  name?: string;
  port?: { number?: number; name?: string };
}

interface IngressBackend {
  service?: ServiceBackend;
  resource?: unknown;
}

interface IngressSpec {
  defaultBackend?: IngressBackend;
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules?: Array<{
    host?: string;
    http?: { paths?: Array<{ path?: string; pathType?: string; backend?: IngressBackend }> };
  }>;
}

export interface IngressTranslationInput {
  ingress: KubernetesObject & { spec?: IngressSpec };
  ref: ResourceRef;
  objectPath: string;
  /** The ids generated resources carry; undefined leaves ambassador_id out (the instance 'default'). */
  ambassadorIds: readonly string[] | undefined;
  /** Port number of a named Service port, when the Service is known. */
  resolveNamedPort(namespace: string, service: string, portName: string): number | undefined;
}

export interface IngressTranslation {
  resources: StoredResource[];
  diagnostics: DiagnosticInput[];
}

const ambassadorApiVersion = 'getambassador.io/v3alpha1';

/**
 * An Ingress as getambassador.io resources: one Host per TLS hostname (with
 * the tls secret), one Mapping per rule path, and a catch-all '/' Mapping for
 * the default backend. Paths are not rewritten (Ingress semantics), so every
 * Mapping sets `rewrite: ''`.
 */
export function translateIngress(input: IngressTranslationInput): IngressTranslation {
  const { ingress, ref } = input;
  const name = ingress.metadata?.name ?? '';
  const namespace = ingress.metadata?.namespace ?? 'default';
  const spec = ingress.spec ?? {};
  const idAnnotation = ingress.metadata?.annotations?.['getambassador.io/ambassador-id'];
  const ambassadorId = idAnnotation
    ? idAnnotation
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : input.ambassadorIds
      ? [...input.ambassadorIds]
      : undefined;
  const out: IngressTranslation = { resources: [], diagnostics: [] };
  const labels = { 'getambassador.io/ingress': name };
  const emit = (kind: string, resourceName: string, body: Record<string, unknown>, line?: string) => {
    out.resources.push({
      resource: {
        apiVersion: ambassadorApiVersion,
        kind,
        metadata: { name: resourceName, namespace, labels },
        spec: { ...(ambassadorId ? { ambassador_id: ambassadorId } : {}), ...body },
      },
      origin: {
        source: 'source-kubernetes',
        file: line ? `${input.objectPath}${line}` : input.objectPath,
        parent: ref,
      },
    });
  };

  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((hostname, j) => {
      emit(
        'Host',
        `${name}-tls-${i}-${j}`,
        {
          hostname,
          ...(tls.secretName ? { tlsSecret: { name: tls.secretName } } : {}),
        },
        `#/spec/tls/${i}/hosts/${j}`,
      );
    });
  });

  // A rule host without TLS still needs a Host to attach its Mappings to; it serves plain HTTP.
  const tlsHosts = new Set((spec.tls ?? []).flatMap((t) => t.hosts ?? []));
  const ruleHosts = [
    ...new Set((spec.rules ?? []).map((r) => r.host).filter((h): h is string => !!h && !tlsHosts.has(h))),
  ];
  ruleHosts.forEach((hostname, i) => {
    emit(
      'Host',
      `${name}-host-${i}`,
      { hostname, requestPolicy: { insecure: { action: 'Route' } } },
      `#/spec/rules`,
    );
  });

  const service = (backend: IngressBackend | undefined, pointer: string): string | undefined => {
    if (!backend?.service?.name) {
      out.diagnostics.push({
        code: 'KUBERNETES_INGRESS_UNSUPPORTED',
        resource: ref,
        path: pointer,
        message: `${pointer.slice(1).replaceAll('/', '.')} of Ingress ${namespace}/${name} is not a Service backend; only service backends are routed, so this path is skipped`,
      });
      return undefined;
    }
    const svc = backend.service;
    let port = svc.port?.number;
    if (port === undefined && svc.port?.name)
      port = input.resolveNamedPort(namespace, svc.name ?? '', svc.port.name);
    if (port === undefined && svc.port?.name) {
      out.diagnostics.push({
        code: 'KUBERNETES_INGRESS_UNSUPPORTED',
        resource: ref,
        path: `${pointer}/service/port/name`,
        message: `Ingress ${namespace}/${name} names port '${svc.port.name}' of Service ${namespace}/${svc.name}, which has no such port (yet); the path is skipped until it does`,
      });
      return undefined;
    }
    return port === undefined ? `${svc.name}.${namespace}` : `${svc.name}.${namespace}:${port}`;
  };

  (spec.rules ?? []).forEach((rule, i) => {
    (rule.http?.paths ?? []).forEach((path, j) => {
      const pointer = `/spec/rules/${i}/http/paths/${j}/backend`;
      const target = service(path.backend, pointer);
      if (!target) return;
      emit(
        'Mapping',
        `${name}-${i}-${j}`,
        {
          hostname: rule.host ?? '*',
          prefix: path.path || '/',
          ...(path.pathType === 'Exact' ? { prefix_exact: true } : {}),
          rewrite: '',
          service: target,
        },
        `#/spec/rules/${i}/http/paths/${j}`,
      );
    });
  });

  if (spec.defaultBackend) {
    const target = service(spec.defaultBackend, '/spec/defaultBackend');
    if (target) {
      emit(
        'Mapping',
        `${name}-default-backend`,
        { hostname: '*', prefix: '/', rewrite: '', service: target },
        '#/spec/defaultBackend',
      );
    }
  }
  return out;
}
