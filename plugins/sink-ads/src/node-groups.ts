import type { NodeJson } from './xds-codec.js';

/** A rule placing clients in a node group; every given field must match. First matching rule wins. */
export interface GroupRule {
  group: string;
  nodeId?: string;
  nodeCluster?: string;
  ambassadorId?: string;
}

export const defaultGroup = 'default';

/** The ambassador_id a node declares in its metadata (a string, or the first of a list). */
export function ambassadorIdOf(node: NodeJson): string | undefined {
  const value = node.metadata?.ambassador_id;
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/**
 * Node → group: the configured rules first; otherwise the node's ambassador_id
 * (one Attaché serving several Emissary-style installations); otherwise 'default'.
 */
export function groupResolver(rules: readonly GroupRule[] = []): (node: NodeJson) => string {
  return (node) => {
    const ambassadorId = ambassadorIdOf(node);
    for (const rule of rules) {
      if (rule.nodeId !== undefined && rule.nodeId !== node.id) continue;
      if (rule.nodeCluster !== undefined && rule.nodeCluster !== node.cluster) continue;
      if (rule.ambassadorId !== undefined && rule.ambassadorId !== ambassadorId) continue;
      return rule.group;
    }
    return ambassadorId ?? defaultGroup;
  };
}
