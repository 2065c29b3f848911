import type { IRRoute, ResourceRef } from '@attache/core';
import type { ResourcePart } from './common.js';

/**
 * A route of a virtual host, a part of its RouteConfiguration that can be dropped on its
 * own. Its pointer and label are made only when asked for (a rejection, a route to a
 * refused cluster): a large compile has tens of thousands of route parts and needs neither.
 */
export class RoutePart implements ResourcePart {
  readonly provenance: ResourceRef[];
  readonly droppable = true;
  private text: string | undefined;
  /** `list` is the IR route list of the virtual host, `list[index]` this route. */
  constructor(
    private readonly virtualHost: number,
    readonly index: number,
    readonly list: readonly IRRoute[],
  ) {
    this.provenance = list[index]!.provenance;
  }
  get pointer(): string {
    // Admission compares it with every issue's path once something is rejected: made once.
    this.text ??= `/virtual_hosts/${this.virtualHost}/routes/${this.index}`;
    return this.text;
  }
  get label(): string {
    return `route '${this.list[this.index]!.name}'`;
  }
}
