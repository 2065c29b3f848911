import { isIP } from 'node:net';
import {
  type IREndpoints,
  isPlainObject,
  mergeProvenance,
  type PassContext,
  type ResourceRef,
  refOf,
  type StoredResource,
} from '@attache/core';
import type { HttpMapping } from '../model.js';

/**
 * The kind a Consul source writes into the store: one resource per
 * (datacenter, service) it watches, with the service's passing instances.
 * The contract between the source and this plugin is this shape alone
 * (plugins never import each other):
 *
 * ```yaml
 * apiVersion: attache.io/v1alpha1
 * kind: ConsulEndpoints
 * metadata: {name: dc1.orders-svc}
 * spec: {datacenter: dc1, service: orders-svc, endpoints: [{address: 10.0.0.7, port: 8080}]}
 * ```
 */
export const ConsulEndpointsKind = 'attache.io/ConsulEndpoints';

type Endpoint = IREndpoints['endpoints'][number];

/** Emissary's EDS service name for a Consul service: `consul/<datacenter>/<service>`, no port. */
export function consulEdsName(datacenter: string, service: string): string {
  return `consul/${datacenter}/${service}`;
}

/** Consul endpoints for the ConsulResolver, from ConsulEndpoints resources in the store. */
export class ConsulEndpointIndex {
  readonly #ctx: PassContext;
  readonly #byService = new Map<string, StoredResource>();

  constructor(ctx: PassContext) {
    this.#ctx = ctx;
    for (const r of ctx.resources(ConsulEndpointsKind)) {
      const spec = r.resource.spec;
      if (!isPlainObject(spec) || typeof spec.datacenter !== 'string' || typeof spec.service !== 'string')
        continue;
      this.#byService.set(consulEdsName(spec.datacenter, spec.service), r);
    }
  }

  /** Fills ir.endpoints[edsServiceName] once, from the source's resource for it (empty when there is none). */
  fill(edsServiceName: string, resolver: ResourceRef | undefined, mapping: HttpMapping): void {
    const existing = this.#ctx.ir.endpoints[edsServiceName];
    if (existing) {
      existing.provenance = mergeProvenance(existing.provenance, [mapping.ref]);
      return;
    }
    const provenance: ResourceRef[] = [mapping.ref];
    if (resolver) provenance.push(resolver);
    const found: Endpoint[] = [];
    const stored = this.#byService.get(edsServiceName);
    if (stored) {
      provenance.push(refOf(stored.resource, stored.origin));
      const list = (stored.resource.spec as { endpoints?: unknown }).endpoints;
      // Written by a source, but read tolerantly as any store input: a malformed entry costs itself only.
      for (const e of Array.isArray(list) ? list.filter(isPlainObject) : []) {
        const port = e.port;
        if (typeof e.address !== 'string' || isIP(e.address) === 0) continue;
        if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) continue;
        found.push({ address: e.address, port: port as number });
      }
    }
    found.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
    const endpoints: Endpoint[] = [];
    for (const e of found) {
      const last = endpoints[endpoints.length - 1];
      if (!last || last.address !== e.address || last.port !== e.port) endpoints.push(e);
    }
    this.#ctx.ir.endpoints[edsServiceName] = {
      name: edsServiceName,
      endpoints,
      provenance: mergeProvenance(provenance),
    };
  }
}
