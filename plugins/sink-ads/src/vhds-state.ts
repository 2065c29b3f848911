import { TypeUrl, type XdsResource } from '@attache/core';
import type { EncodePool } from './encode-pool.js';
import { GroupState } from './group-state.js';
import { peekEncoded } from './lazy-encoded.js';
import { VirtualHostType } from './served-types.js';
import type { VhdsForm } from './vhds-form.js';
import { VhdsIndex } from './vhds-index.js';
import type { EncodedResource, XdsCodec } from './xds-codec.js';

type Encoded = ReadonlyMap<string, EncodedResource>;

function reusable(resource: XdsResource, ...sources: (Encoded | undefined)[]): EncodedResource | undefined {
  for (const source of sources) {
    const known = peekEncoded(source, resource.name);
    if (known && known.version === resource.version) return known;
  }
  return undefined;
}

/** What both encoders start from: the plain state's shared types, and the VHDS form's parts to encode. */
function vhdsParts(plain: GroupState, form: VhdsForm) {
  const byType = new Map<string, Encoded>();
  for (const typeUrl of [TypeUrl.Secret, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment])
    byType.set(typeUrl, plain.resources(typeUrl));
  const parts: Array<[string, XdsResource[]]> = [
    [TypeUrl.Listener, form.listeners],
    [TypeUrl.RouteConfiguration, form.routeConfigs],
    [VirtualHostType, form.virtualHosts],
  ];
  return { byType, parts };
}

function vhdsGroupState(
  plain: GroupState,
  form: VhdsForm,
  previous: GroupState | undefined,
  byType: Map<string, Encoded>,
): GroupState {
  return new GroupState(
    plain.snapshot,
    byType,
    new VhdsIndex(byType.get(VirtualHostType) ?? new Map(), form.domains, form.lazy),
    previous?.viewsForNext(),
  );
}

/**
 * The group state delta ADS streams are served from when the `vhds` option is
 * on: clusters, endpoints and secrets are the plain state's own encodings;
 * listeners, route tables and virtual hosts are the VHDS form's, each encoded
 * once per version (reused from the previous VHDS state, or from the plain
 * state when the form left a resource as it was). Large virtual hosts go to
 * the encode pool when there is one.
 */
export async function encodeVhdsState(
  codec: XdsCodec,
  plain: GroupState,
  form: VhdsForm,
  previous: GroupState | undefined,
  pool: EncodePool | undefined,
): Promise<GroupState> {
  const { byType, parts } = vhdsParts(plain, form);
  for (const [typeUrl, resources] of parts) {
    const entries: Array<EncodedResource | Promise<EncodedResource>> = [];
    for (const resource of resources) {
      const known = reusable(resource, previous?.resources(typeUrl), plain.resources(typeUrl));
      if (known) entries.push(known);
      else if (pool && resource.text !== undefined)
        entries.push(
          pool
            .encode(resource.name, resource.version, resource.text)
            .catch(() => codec.encodeResource(resource.name, resource.version, resource.resource)),
        );
      else entries.push(codec.encodeResource(resource.name, resource.version, resource.resource));
    }
    const encoded = new Map<string, EncodedResource>();
    for (const entry of await Promise.all(entries)) encoded.set(entry.name, entry);
    byType.set(typeUrl, encoded);
  }
  return vhdsGroupState(plain, form, previous, byType);
}

/** The same, synchronously (no pool): for `setSnapshot`. */
export function encodeVhdsStateSync(
  codec: XdsCodec,
  plain: GroupState,
  form: VhdsForm,
  previous: GroupState | undefined,
): GroupState {
  const { byType, parts } = vhdsParts(plain, form);
  for (const [typeUrl, resources] of parts) {
    const encoded = new Map<string, EncodedResource>();
    for (const resource of resources) {
      encoded.set(
        resource.name,
        reusable(resource, previous?.resources(typeUrl), plain.resources(typeUrl)) ??
          codec.encodeResource(resource.name, resource.version, resource.resource),
      );
    }
    byType.set(typeUrl, encoded);
  }
  return vhdsGroupState(plain, form, previous, byType);
}
