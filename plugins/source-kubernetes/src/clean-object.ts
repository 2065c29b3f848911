import type { ObjectMeta, Resource } from '@attache/core';
import type { KubernetesObject } from '@kubernetes/client-node';

const noisyAnnotations = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * The object as the store should hold it: the envelope fields the compiler
 * reads, without resourceVersion, managedFields or status. Dropping those
 * means a status write-back (which bumps resourceVersion) changes nothing in
 * the store and so triggers no recompile.
 */
export function cleanObject(obj: KubernetesObject, opts: { keepStatus?: boolean } = {}): Resource {
  const {
    metadata = {},
    apiVersion = '',
    kind = '',
    ...rest
  } = obj as KubernetesObject & Record<string, unknown>;
  const meta: ObjectMeta = { name: metadata.name ?? '' };
  if (metadata.namespace) meta.namespace = metadata.namespace;
  if (metadata.labels && Object.keys(metadata.labels).length) meta.labels = { ...metadata.labels };
  if (metadata.annotations) {
    const annotations = Object.fromEntries(
      Object.entries(metadata.annotations).filter(([k]) => !noisyAnnotations.includes(k)),
    );
    if (Object.keys(annotations).length) meta.annotations = annotations;
  }
  if (metadata.generation !== undefined) meta.generation = metadata.generation;
  if (metadata.uid) meta.uid = metadata.uid;
  const body: Record<string, unknown> = { ...rest };
  if (!opts.keepStatus) delete body.status;
  return { apiVersion, kind, metadata: meta, ...body };
}
