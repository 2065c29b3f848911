import type { ResourceRef } from '@attache/core';
import type { KubernetesObject } from '@kubernetes/client-node';

export function objectRef(obj: KubernetesObject): ResourceRef {
  const ref: ResourceRef = {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    name: obj.metadata?.name ?? '',
  };
  if (obj.metadata?.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** 'Service/default/quote': the source's partition name and object path for one object. */
export function objectKeyOf(obj: Pick<KubernetesObject, 'kind' | 'metadata'>): string {
  return `${obj.kind ?? ''}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
