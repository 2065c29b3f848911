import {
  compareDiagnostics,
  compareRefs,
  type Diagnostic,
  type Feedback,
  type Snapshot,
} from '@attache/core';
import { findResource } from './snapshot-builder.js';

/**
 * Turns delivery feedback (an Envoy NACK names Envoy resources) into
 * diagnostics on the input resources behind them, through the provenance of
 * the snapshot that client was sent. Keeping the last good snapshot for that
 * client is the sink's job; this only says *whose* resource was refused.
 */
export class FeedbackRouter implements Feedback {
  readonly #rejections = new Map<string, Diagnostic[]>();
  readonly #snapshotFor: (group: string) => Snapshot | undefined;
  readonly #onChange: () => void;

  constructor(snapshotFor: (group: string) => Snapshot | undefined, onChange: () => void = () => {}) {
    this.#snapshotFor = snapshotFor;
    this.#onChange = onChange;
  }

  rejected(event: {
    group: string;
    typeUrl: string;
    resourceNames: string[];
    message: string;
    client: string;
  }): void {
    const snapshot = this.#snapshotFor(event.group);
    const shortType = event.typeUrl.slice(event.typeUrl.lastIndexOf('.') + 1);
    const diagnostics: Diagnostic[] = [];
    for (const name of [...event.resourceNames].sort()) {
      const resource = snapshot ? findResource(snapshot, event.typeUrl, name) : undefined;
      const message = `Envoy ${event.client} rejected ${shortType} ${name}: ${event.message}; it keeps serving the previous configuration until this is fixed`;
      const refs = resource?.provenance ?? [];
      if (refs.length === 0) {
        diagnostics.push({
          code: 'ENVOY_REJECTED',
          severity: 'error',
          message,
          origin: { plugin: 'runtime' },
        });
      }
      for (const ref of [...refs].sort(compareRefs)) {
        diagnostics.push({
          code: 'ENVOY_REJECTED',
          severity: 'error',
          message,
          resource: ref,
          origin: { plugin: 'runtime' },
        });
      }
    }
    this.#rejections.set(rejectionKey(event), diagnostics);
    this.#onChange();
  }

  accepted(event: { group: string; typeUrl: string; client: string }): void {
    if (this.#rejections.delete(rejectionKey(event))) this.#onChange();
  }

  /** Current rejection diagnostics, sorted and deduplicated across clients that refused the same thing. */
  diagnostics(): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const list of this.#rejections.values()) {
      for (const d of list) {
        const key = JSON.stringify([d.resource, d.message]);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(d);
        }
      }
    }
    return out.sort(compareDiagnostics);
  }
}

function rejectionKey(event: { group: string; typeUrl: string; client: string }): string {
  return `${event.group}\u0000${event.client}\u0000${event.typeUrl}`;
}
