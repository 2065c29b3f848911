import type { DiagnosticInput, ObjectMeta, Resource, ResourceRef, StoredResource } from '@attache/core';
import { LineCounter, parseAllDocuments } from 'yaml';
import { servesAmbassadorId } from './ambassador-id.js';

export const configAnnotation = 'getambassador.io/config';
const annotationPath = '/metadata/annotations/getambassador.io~1config';

/** Older Emissary spellings of the API version; their shape is v2's, which the http plugin converts. */
const legacyApiVersions: Record<string, string> = {
  'ambassador/v0': 'getambassador.io/v2',
  'ambassador/v1': 'getambassador.io/v2',
  'getambassador.io/v0': 'getambassador.io/v2',
  'getambassador.io/v1': 'getambassador.io/v2',
};

export interface AnnotationService {
  ref: ResourceRef;
  labels?: Record<string, string> | undefined;
  annotation: string;
  /** Where diagnostics and origins point, e.g. 'kubernetes:Service/default/quote'. */
  objectPath: string;
}

export interface AnnotationResult {
  resources: StoredResource[];
  diagnostics: DiagnosticInput[];
}

/**
 * Parse a Service's `getambassador.io/config` annotation into resources: one
 * per YAML document, either in Kubernetes form (metadata + spec) or in the
 * flat legacy form (name, namespace and spec keys side by side). Namespace
 * and labels are inherited from the Service. A broken document becomes a
 * diagnostic on the Service naming the annotation line; the others still load.
 */
export function parseServiceAnnotation(
  service: AnnotationService,
  ambassadorIds: readonly string[] | undefined,
): AnnotationResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(service.annotation, { lineCounter });
  const result: AnnotationResult = { resources: [], diagnostics: [] };
  const docList = Array.isArray(docs) ? docs : [];
  const where = (line: number) =>
    `${service.ref.kind} ${service.ref.namespace ?? ''}/${service.ref.name} annotation ${configAnnotation} line ${line}`;
  const report = (line: number, problem: string) => {
    result.diagnostics.push({
      code: 'KUBERNETES_ANNOTATION_INVALID',
      resource: { ...service.ref, source: `${service.objectPath}:${line}` },
      path: annotationPath,
      message: `${where(line)}: ${problem}`,
    });
  };
  docList.forEach((doc, index) => {
    const docLine = lineCounter.linePos(doc.range[0]).line;
    const firstError = doc.errors[0];
    if (firstError) {
      const line = firstError.linePos?.[0]?.line ?? docLine;
      report(line, `${firstError.message.split('\n')[0]}; fix the YAML of this document (it is skipped)`);
      return;
    }
    const contentLine = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : docLine;
    let value: unknown;
    try {
      // Aliases: generous for real annotations, bounded against "billion laughs" (as the file source).
      value = doc.toJS({ maxAliasCount: 10_000 });
    } catch (e) {
      report(
        contentLine,
        `document ${index + 1} cannot be read as data (${(e as Error).message}); write repeated blocks out instead of aliasing them (it is skipped)`,
      );
      return;
    }
    if (value === null || value === undefined) return;
    const built = buildResource(value, service);
    if (typeof built === 'string') {
      report(contentLine, `document ${index + 1} ${built}`);
      return;
    }
    if (!servesAmbassadorId(built.spec, ambassadorIds)) return;
    result.resources.push({
      resource: built,
      origin: {
        source: 'source-kubernetes',
        file: service.objectPath,
        line: contentLine,
        parent: service.ref,
      },
    });
  });
  return result;
}

/** The resource a document describes, or a reason it cannot be one. */
function buildResource(value: unknown, service: AnnotationService): Resource | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'is not a mapping; write apiVersion, kind, name and the spec fields';
  }
  const doc = value as Record<string, unknown>;
  const rawApiVersion = doc.apiVersion;
  const kind = doc.kind;
  if (typeof rawApiVersion !== 'string' || typeof kind !== 'string' || !kind) {
    return "needs string fields 'apiVersion' (e.g. getambassador.io/v3alpha1) and 'kind'";
  }
  const apiVersion = legacyApiVersions[rawApiVersion] ?? rawApiVersion;
  if (!apiVersion.startsWith('getambassador.io/')) {
    return `has apiVersion '${rawApiVersion}'; annotations may only hold getambassador.io resources`;
  }
  const inherited = { namespace: service.ref.namespace, labels: service.labels };
  if (typeof doc.metadata === 'object' && doc.metadata !== null) {
    const meta = doc.metadata as Partial<ObjectMeta>;
    if (typeof meta.name !== 'string' || !meta.name) return "needs 'metadata.name'";
    const metadata: ObjectMeta = { name: meta.name };
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : inherited.namespace;
    if (namespace) metadata.namespace = namespace;
    const labels = { ...(inherited.labels ?? {}), ...(meta.labels ?? {}) };
    if (Object.keys(labels).length) metadata.labels = labels;
    if (meta.annotations) metadata.annotations = meta.annotations;
    const spec =
      typeof doc.spec === 'object' && doc.spec !== null ? (doc.spec as Record<string, unknown>) : {};
    return { apiVersion, kind, metadata, spec };
  }
  const { apiVersion: _a, kind: _k, name, namespace, metadata: _m, ...spec } = doc;
  if (typeof name !== 'string' || !name) return "needs a 'name' (flat form) or 'metadata.name'";
  const metadata: ObjectMeta = { name };
  const ns = typeof namespace === 'string' ? namespace : inherited.namespace;
  if (ns) metadata.namespace = ns;
  if (inherited.labels && Object.keys(inherited.labels).length) metadata.labels = { ...inherited.labels };
  return { apiVersion, kind, metadata, spec };
}
