import { type IR, type ResourceRef, type Snapshot, TypeUrl } from '@attache/core';
import { type ExplainRequest, type Explanation, explainRequest } from '@attache/explain';

/**
 * `attache explain` on the snapshot being served. The CLI has the compiler's
 * IR at hand to name the Mapping behind each route; a snapshot has only the
 * Envoy resources, so the same names are rebuilt from what the http plugin's
 * route names carry (a route is named after its Mapping, 'namespace/name',
 * with ':https'/':http' for the XFP pair; the probe routes come from the
 * Module) and the route configuration's provenance. Routes named otherwise
 * are explained without a resource behind them.
 */
export function explainOnSnapshot(snapshot: Snapshot, request: ExplainRequest): Explanation {
  return explainRequest({ xds: snapshot.resources, ir: routeProvenanceOf(snapshot) }, request);
}

/** Only the part of the IR that explain reads: route configurations → virtual hosts → routes' provenance. */
function routeProvenanceOf(snapshot: Snapshot): IR {
  const routeConfigs: Record<string, unknown> = {};
  for (const rc of snapshot.resources[TypeUrl.RouteConfiguration] ?? []) {
    const byName = new Map<string, ResourceRef[]>();
    const modules: ResourceRef[] = [];
    for (const ref of rc.provenance) {
      if (ref.kind === 'Module') modules.push(ref);
      const key = `${ref.namespace ?? ''}/${ref.name}`;
      const list = byName.get(key);
      if (list) list.push(ref);
      else byName.set(key, [ref]);
    }
    const vhosts = (rc.resource.virtualHosts ?? rc.resource.virtual_hosts ?? []) as Array<{
      name?: string;
      routes?: Array<{ name?: string }>;
    }>;
    routeConfigs[rc.name] = {
      virtualHosts: vhosts.map((vh) => ({
        name: vh.name,
        routes: (vh.routes ?? []).map((route) => ({
          name: route.name,
          provenance: provenanceOfRoute(route.name, byName, modules),
        })),
      })),
    };
  }
  // A partial IR on purpose: explain reads routeConfigs[…].virtualHosts[…].routes[…].provenance and nothing else.
  return { routeConfigs } as unknown as IR;
}

function provenanceOfRoute(
  name: string | undefined,
  byName: ReadonlyMap<string, ResourceRef[]>,
  modules: readonly ResourceRef[],
): ResourceRef[] {
  if (name === undefined) return [];
  if (/^internal_\w+_probe_mapping$/.test(name)) return [...modules];
  const base = name.replace(/:https?$/, '');
  return (byName.get(base) ?? []).filter((ref) => ref.kind === 'Mapping');
}
