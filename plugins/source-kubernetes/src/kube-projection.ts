import type { DiagnosticInput, Logger, StoredResource, StoreWriter } from '@attache/core';
import type { KubernetesObject } from '@kubernetes/client-node';
import { servesAmbassadorId } from './ambassador-id.js';
import { cleanObject } from './clean-object.js';
import { isOurIngress } from './ingress-class.js';
import { translateIngress } from './ingress-translation.js';
import { objectKeyOf, objectRef } from './object-ref.js';
import { secretReferences } from './secret-references.js';
import { configAnnotation, parseServiceAnnotation } from './service-annotations.js';
import type { KindRole, WatchedKind } from './watched-kinds.js';

export interface ProjectionOptions {
  store: StoreWriter;
  /** Undefined: no filtering here (the compiler filters per ambassador_id). */
  ambassadorIds: readonly string[] | undefined;
  ingressClassName: string;
  logger: Logger;
}

interface Pushed {
  json: string;
  secretRefs: string[];
}

type Derived = { resources: StoredResource[]; diagnostics: DiagnosticInput[] };

const empty: Derived = { resources: [], diagnostics: [] };

/**
 * Turns watched Kubernetes objects into store contents. Each object is one
 * store partition (named like 'Service/default/quote') holding what it
 * contributes: itself, the resources of its annotation, an Ingress's Hosts
 * and Mappings, or nothing (another ambassador_id, someone else's Ingress,
 * an unreferenced Secret). A partition is rewritten only when its contents
 * change. Secrets are re-evaluated whenever the set of referenced Secrets
 * changes, and Ingresses whenever IngressClasses (or named ports) change.
 */
export class KubeProjection {
  readonly #objects = new Map<KindRole, Map<string, { kind: WatchedKind; obj: KubernetesObject }>>();
  readonly #pushed = new Map<string, Pushed>();
  readonly #secretRefCounts = new Map<string, number>();

  constructor(private readonly opts: ProjectionOptions) {}

  /** The raw object (status included) as last seen, for status write-back. */
  object(role: KindRole, key: string): KubernetesObject | undefined {
    return this.#objects.get(role)?.get(key)?.obj;
  }

  objects(role: KindRole): KubernetesObject[] {
    return [...(this.#objects.get(role)?.values() ?? [])].map((e) => e.obj);
  }

  /** Ingresses this controller handles. */
  ourIngresses(): KubernetesObject[] {
    const classes = this.objects('ingressclass');
    return this.objects('ingress').filter((i) => isOurIngress(i, classes, this.opts.ingressClassName));
  }

  apply(kind: WatchedKind, event: 'add' | 'update' | 'delete', obj: KubernetesObject): void {
    const key = objectKeyOf(obj);
    const byKey = this.#objects.get(kind.role) ?? new Map();
    this.#objects.set(kind.role, byKey);
    if (event === 'delete') byKey.delete(key);
    else byKey.set(key, { kind, obj });
    this.#refresh(kind, key, event === 'delete' ? undefined : obj);
    if (kind.role === 'ingressclass') this.#refreshAll('ingress');
    if (kind.role === 'service' && this.#anyIngressUsesNamedPorts()) this.#refreshAll('ingress');
  }

  #refresh(kind: WatchedKind, key: string, obj: KubernetesObject | undefined): void {
    const derived = obj ? this.#derive(kind, obj) : empty;
    this.#push(key, derived);
  }

  #refreshAll(role: KindRole): void {
    for (const [key, { kind, obj }] of this.#objects.get(role) ?? []) this.#refresh(kind, key, obj);
  }

  #derive(kind: WatchedKind, obj: KubernetesObject): Derived {
    const objectPath = `kubernetes:${objectKeyOf(obj)}`;
    const self = (): StoredResource => ({
      resource: cleanObject(obj),
      origin: { source: 'source-kubernetes', file: objectPath },
    });
    switch (kind.role) {
      case 'ambassador':
        return servesAmbassadorId((obj as { spec?: unknown }).spec, this.opts.ambassadorIds)
          ? { resources: [self()], diagnostics: [] }
          : empty;
      case 'service': {
        const annotation = obj.metadata?.annotations?.[configAnnotation];
        if (!annotation) return { resources: [self()], diagnostics: [] };
        const parsed = parseServiceAnnotation(
          { ref: objectRef(obj), labels: obj.metadata?.labels, annotation, objectPath },
          this.opts.ambassadorIds,
        );
        return { resources: [self(), ...parsed.resources], diagnostics: parsed.diagnostics };
      }
      case 'ingress': {
        if (!isOurIngress(obj, this.objects('ingressclass'), this.opts.ingressClassName)) return empty;
        return translateIngress({
          ingress: obj,
          ref: objectRef(obj),
          objectPath,
          ambassadorIds: this.opts.ambassadorIds,
          resolveNamedPort: (ns, name, portName) => this.#namedPort(ns, name, portName),
        });
      }
      case 'secret': {
        const ref = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
        return (this.#secretRefCounts.get(ref) ?? 0) > 0 ? { resources: [self()], diagnostics: [] } : empty;
      }
      case 'ingressclass':
        return empty;
      case 'endpoints':
      case 'endpointslice':
      case 'namespace':
        return { resources: [self()], diagnostics: [] };
    }
  }

  #push(partition: string, derived: Derived): void {
    const json = JSON.stringify(derived);
    const previous = this.#pushed.get(partition);
    if (previous?.json === json) return;
    if (!previous && derived.resources.length === 0 && derived.diagnostics.length === 0) return;
    const secretRefs = [...new Set(derived.resources.flatMap(secretReferences))].sort();
    if (derived.resources.length === 0 && derived.diagnostics.length === 0) this.#pushed.delete(partition);
    else this.#pushed.set(partition, { json, secretRefs });
    this.opts.store.replace(partition, derived.resources, derived.diagnostics);
    this.#updateSecretRefs(previous?.secretRefs ?? [], secretRefs);
  }

  #updateSecretRefs(before: readonly string[], after: readonly string[]): void {
    const touched = new Set([...before, ...after]);
    const referenced = (ref: string) => (this.#secretRefCounts.get(ref) ?? 0) > 0;
    const was = new Map([...touched].map((ref) => [ref, referenced(ref)]));
    const add = (ref: string, delta: number) => {
      const n = (this.#secretRefCounts.get(ref) ?? 0) + delta;
      if (n > 0) this.#secretRefCounts.set(ref, n);
      else this.#secretRefCounts.delete(ref);
    };
    for (const ref of before) add(ref, -1);
    for (const ref of after) add(ref, +1);
    const secrets = this.#objects.get('secret');
    for (const ref of touched) {
      if (was.get(ref) === referenced(ref)) continue;
      const entry = secrets?.get(`Secret/${ref}`);
      if (entry) this.#refresh(entry.kind, `Secret/${ref}`, entry.obj);
    }
  }

  #namedPort(namespace: string, name: string, portName: string): number | undefined {
    const svc = this.#objects.get('service')?.get(`Service/${namespace}/${name}`)?.obj as
      | { spec?: { ports?: Array<{ name?: string; port?: number }> } }
      | undefined;
    return svc?.spec?.ports?.find((p) => p.name === portName)?.port;
  }

  #anyIngressUsesNamedPorts(): boolean {
    return this.objects('ingress').some((i) =>
      JSON.stringify((i as { spec?: unknown }).spec ?? {}).includes('"port":{"name"'),
    );
  }
}
