import {
  type DerivedResource,
  type ResourceRef,
  type Snapshot,
  TypeUrl,
  versionHashOfJson,
  type XdsResource,
} from '@attache/core';
import {
  type Json,
  type VhdsOptions,
  vhdsNamespaceOf,
  vhdsRouteConfiguration,
  virtualHostProvenanceOf,
  withOnDemandFilter,
} from '@attache/envoy';
import { VirtualHostType } from './served-types.js';

/** Virtual hosts larger than this keep their JSON text, so the encode pool can encode them off the event loop. */
const textFromBytes = 64 * 1024;

/** The VHDS form of a snapshot's routing resources, for delta ADS streams. */
export interface VhdsForm {
  listeners: XdsResource[];
  routeConfigs: XdsResource[];
  virtualHosts: XdsResource[];
  /** VirtualHost resource name → its domains, for on-demand aliases. */
  domains: ReadonlyMap<string, readonly string[]>;
  /** Virtual hosts of exact-domain tables are sent only on demand (VhdsIndex). */
  lazy: boolean;
}

interface RouteConfigForm {
  version: string;
  routeConfig: XdsResource;
  virtualHosts: XdsResource[];
}

function resource(
  typeUrl: XdsResource['typeUrl'],
  name: string,
  json: Json,
  keepText: boolean,
  provenance: ResourceRef[],
): XdsResource {
  const text = JSON.stringify(json);
  return {
    typeUrl,
    name,
    resource: json,
    version: versionHashOfJson(text),
    provenance,
    ...(keepText && text.length >= textFromBytes ? { text } : {}),
  };
}

/**
 * Derives the VHDS form of each snapshot (vhds.ts in @attache/envoy) and
 * remembers it per resource version: a snapshot that changes one
 * RouteConfiguration re-splits that one only, and a virtual host whose JSON is
 * the same object as before (lowering memo) is not hashed again.
 */
export class VhdsFormer {
  private routeConfigs = new Map<string, RouteConfigForm>();
  private listeners = new Map<string, { version: string; tables: string; listener: XdsResource }>();
  private virtualHostsByObject = new WeakMap<
    object,
    { name: string; tableProvenance: readonly ResourceRef[]; resource: XdsResource }
  >();

  constructor(private readonly options: VhdsOptions & { lazy?: boolean } = {}) {}

  form(snapshot: Snapshot): VhdsForm {
    const routeConfigs = new Map<string, RouteConfigForm>();
    const virtualHosts: XdsResource[] = [];
    const domains = new Map<string, readonly string[]>();
    for (const original of snapshot.resources[TypeUrl.RouteConfiguration] ?? []) {
      let form = this.routeConfigs.get(original.name);
      if (form?.version !== original.version) form = this.split(original);
      routeConfigs.set(original.name, form);
      for (const virtualHost of form.virtualHosts) {
        virtualHosts.push(virtualHost);
        domains.set(virtualHost.name, ((virtualHost.resource.domains as string[] | undefined) ?? []).slice());
      }
    }
    this.routeConfigs = routeConfigs;

    const tables = new Set(routeConfigs.keys());
    const tablesKey = [...tables].join('\u0000');
    const listeners = new Map<string, { version: string; tables: string; listener: XdsResource }>();
    for (const original of snapshot.resources[TypeUrl.Listener] ?? []) {
      let kept = this.listeners.get(original.name);
      if (kept?.version !== original.version || kept.tables !== tablesKey) {
        const changed = this.options.onDemand
          ? withOnDemandFilter(original.resource, tables)
          : original.resource;
        kept = {
          version: original.version,
          tables: tablesKey,
          listener:
            changed === original.resource
              ? original
              : resource(TypeUrl.Listener, original.name, changed, false, original.provenance),
        };
      }
      listeners.set(original.name, kept);
    }
    this.listeners = listeners;
    return {
      listeners: [...listeners.values()].map((l) => l.listener),
      routeConfigs: [...routeConfigs.values()].map((f) => f.routeConfig),
      virtualHosts,
      domains,
      lazy: this.options.onDemand === true && this.options.lazy === true,
    };
  }

  private split(original: XdsResource): RouteConfigForm {
    const { routeConfiguration, virtualHosts } = vhdsRouteConfiguration(original.resource, this.options);
    const originals = (original.resource.virtual_hosts as Json[] | undefined) ?? [];
    // Indexed once per table, when a virtual host needs its provenance (a new table's provenance array).
    let provenanceOf: ((virtualHost: Json) => ResourceRef[]) | undefined;
    return {
      version: original.version,
      routeConfig: resource(
        TypeUrl.RouteConfiguration,
        original.name,
        routeConfiguration,
        false,
        original.provenance,
      ),
      virtualHosts: virtualHosts.map((json, i) => {
        const name = String(json.name);
        const source = originals[i];
        const known = source ? this.virtualHostsByObject.get(source) : undefined;
        if (known && known.name === name && known.tableProvenance === original.provenance)
          return known.resource;
        provenanceOf ??= virtualHostProvenanceOf(original.provenance);
        const provenance = provenanceOf(source ?? json);
        const made =
          known && known.name === name
            ? { ...known.resource, provenance }
            : resource(VirtualHostType as XdsResource['typeUrl'], name, json, true, provenance);
        if (source)
          this.virtualHostsByObject.set(source, {
            name,
            tableProvenance: original.provenance,
            resource: made,
          });
        return made;
      }),
    };
  }

  /**
   * A VirtualHost of the current form as the runtime's feedback sees it: the
   * resources behind it, and its version in any snapshot (the form of that
   * snapshot's route configuration, made again only when that changed).
   */
  derived(name: string): DerivedResource | undefined {
    const table = vhdsNamespaceOf(name);
    const form = table === undefined ? undefined : this.routeConfigs.get(table);
    const virtualHost = form?.virtualHosts.find((v) => v.name === name);
    if (table === undefined || !form || !virtualHost) return undefined;
    const options = this.options;
    let last = { version: form.version, found: virtualHost.version as string | undefined };
    return {
      provenance: virtualHost.provenance,
      versionIn(snapshot: Snapshot): string | undefined {
        const original = (snapshot.resources[TypeUrl.RouteConfiguration] ?? []).find((r) => r.name === table);
        if (!original) return undefined;
        if (original.version !== last.version) {
          const made = vhdsRouteConfiguration(original.resource, options).virtualHosts.find(
            (v) => v.name === name,
          );
          last = { version: original.version, found: made && versionHashOfJson(JSON.stringify(made)) };
        }
        return last.found;
      },
    };
  }
}
