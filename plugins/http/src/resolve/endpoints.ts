import { isIP } from 'node:net';
import {
  type IREndpoints,
  isPlainObject,
  mergeProvenance,
  type PassContext,
  refOf,
  type StoredResource,
} from '@attache/core';
import type { HttpMapping } from '../model.js';

interface PortSpec {
  name?: string;
  port?: number;
}

type Endpoint = IREndpoints['endpoints'][number];

/**
 * Kubernetes endpoints for the endpoint resolver, from `Endpoints` and
 * `discovery.k8s.io/EndpointSlice` resources in the store. A Mapping names
 * the Service port; endpoints carry target ports, so the Service's port name
 * links the two (as kube-proxy does).
 */
export class EndpointIndex {
  readonly #ctx: PassContext;
  readonly #services = new Map<string, StoredResource>();
  readonly #endpoints = new Map<string, StoredResource>();
  readonly #slices = new Map<string, StoredResource[]>();

  constructor(ctx: PassContext) {
    this.#ctx = ctx;
    for (const s of ctx.resources('Service')) this.#services.set(keyOf(s), s);
    for (const e of ctx.resources('Endpoints')) this.#endpoints.set(keyOf(e), e);
    for (const s of ctx.resources('discovery.k8s.io/EndpointSlice')) {
      const service = s.resource.metadata.labels?.['kubernetes.io/service-name'];
      if (!service) continue;
      const key = `${s.resource.metadata.namespace ?? 'default'}/${service}`;
      this.#slices.set(key, [...(this.#slices.get(key) ?? []), s]);
    }
  }

  /** Fills ir.endpoints[edsServiceName] once. */
  fill(edsServiceName: string, namespace: string, name: string, port: number, mapping: HttpMapping): void {
    const existing = this.#ctx.ir.endpoints[edsServiceName];
    if (existing) {
      existing.provenance = mergeProvenance(existing.provenance, [mapping.ref]);
      return;
    }
    const key = `${namespace}/${name}`;
    const service = this.#services.get(key);
    let portName: string | undefined;
    if (service) {
      const ports = portsOf((service.resource.spec as { ports?: unknown } | undefined)?.ports);
      const match = ports.find((p) => p.port === port);
      if (!match) {
        this.#ctx.report({
          code: 'MAPPING_SERVICE_PORT_UNKNOWN',
          resource: mapping.ref,
          path: '/spec/service',
          message: `Service ${key} has no port ${port} (it has ${ports.map((p) => p.port).join(', ') || 'none'}); fix the port in spec.service`,
        });
      }
      portName = match?.name;
    }
    const provenance = [mapping.ref];
    const found: Endpoint[] = [];
    const slices = this.#slices.get(key);
    if (slices) {
      for (const slice of slices) {
        const target = pickPort(portsOf(slice.resource.ports), portName, port);
        if (target === undefined) continue;
        provenance.push(refOf(slice.resource, slice.origin));
        for (const ep of listOf(slice.resource.endpoints)) {
          if (isPlainObject(ep.conditions) && ep.conditions.ready === false) continue;
          for (const address of ipsOf(ep.addresses)) {
            const e: Endpoint = { address, port: target };
            if (typeof ep.zone === 'string' && ep.zone !== '') e.zone = ep.zone;
            found.push(e);
          }
        }
      }
    } else {
      const eps = this.#endpoints.get(key);
      if (eps) {
        provenance.push(refOf(eps.resource, eps.origin));
        for (const subset of listOf(eps.resource.subsets)) {
          const target = pickPort(portsOf(subset.ports), portName, port);
          if (target === undefined) continue;
          for (const a of listOf(subset.addresses)) {
            if (typeof a.ip === 'string' && isIP(a.ip) !== 0) found.push({ address: a.ip, port: target });
          }
        }
      }
    }
    if (service) provenance.push(refOf(service.resource, service.origin));
    found.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
    this.#ctx.ir.endpoints[edsServiceName] = {
      name: edsServiceName,
      endpoints: dedupe(found),
      provenance: mergeProvenance(provenance),
    };
  }
}

// Services, Endpoints and EndpointSlices from files are not checked by an API
// server: read them tolerantly, keeping only well-formed entries, so a
// malformed one costs its own endpoints and never the compile.
function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

/**
 * The IP addresses of a list. Envoy takes EDS endpoints as IPs only and refuses
 * the whole endpoint update for anything else ("malformed IP address", found
 * by serving an Endpoints file with a host name in it to a real Envoy).
 */
function ipsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && isIP(v) !== 0) : [];
}

function portsOf(value: unknown): PortSpec[] {
  return listOf(value).filter(
    (p): p is Record<string, unknown> & PortSpec =>
      Number.isInteger(p.port) &&
      (p.port as number) >= 1 &&
      (p.port as number) <= 65535 &&
      (p.name === undefined || typeof p.name === 'string'),
  );
}

function keyOf(s: StoredResource): string {
  return `${s.resource.metadata.namespace ?? 'default'}/${s.resource.metadata.name}`;
}

/** The endpoint port for a Service port: by name when known, else the only port, else the same number. */
function pickPort(ports: PortSpec[], name: string | undefined, port: number): number | undefined {
  if (name !== undefined) return ports.find((p) => p.name === name)?.port;
  if (ports.length === 1) return ports[0]!.port;
  return ports.find((p) => p.port === port)?.port;
}

function dedupe(list: Endpoint[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const e of list) {
    const last = out[out.length - 1];
    if (!last || last.address !== e.address || last.port !== e.port) out.push(e);
  }
  return out;
}
