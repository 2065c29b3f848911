import {
  compareDiagnostics,
  compareRefs,
  type DerivedResource,
  type Diagnostic,
  type Feedback,
  type Snapshot,
} from '@attache/core';
import { findResource } from './snapshot-builder.js';

/** One resource a client refused, at the version it refused, with the diagnostics it maps to. */
interface Rejection {
  typeUrl: string;
  name: string;
  /** Content hash of what was refused; '' for a removal; undefined when nobody knows. */
  version: string | undefined;
  /** A resource the sink derived (VHDS VirtualHost): where its provenance and current version come from. */
  derived?: DerivedResource;
  diagnostics: Diagnostic[];
}

/**
 * Turns delivery feedback (an Envoy NACK names Envoy resources) into
 * diagnostics on the input resources behind them, through the provenance of
 * the snapshot that client was sent. Keeping the last good snapshot for that
 * client is the sink's job; this only says *whose* resource was refused.
 *
 * A rejection belongs to a live client and to the version it refused: it ends
 * when that client accepts the type again, when its last stream closes (with
 * per-pod node ids, a replaced pod would otherwise leave a permanent error),
 * or when the group's resource of that name has another version (or is gone),
 * since the refusal was about content that is no longer offered.
 */
export class FeedbackRouter implements Feedback {
  /** group + client + typeUrl → what that client refused of that type. */
  readonly #rejections = new Map<string, { group: string; client: string; rejected: Rejection[] }>();
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
    versions?: Readonly<Record<string, string>>;
    derived?: Readonly<Record<string, DerivedResource>>;
  }): void {
    const snapshot = this.#snapshotFor(event.group);
    const shortType = event.typeUrl.slice(event.typeUrl.lastIndexOf('.') + 1);
    const rejected: Rejection[] = [];
    for (const name of [...event.resourceNames].sort()) {
      const resource = snapshot ? findResource(snapshot, event.typeUrl, name) : undefined;
      const message = `Envoy ${event.client} rejected ${shortType} ${name}: ${event.message}; it keeps serving the previous configuration until this is fixed`;
      const derived = resource ? undefined : event.derived?.[name];
      const refs = resource?.provenance ?? derived?.provenance ?? [];
      const diagnostics: Diagnostic[] = [];
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
      const version =
        event.versions?.[name] ??
        resource?.version ??
        (derived && snapshot ? derived.versionIn(snapshot) : undefined);
      rejected.push({ typeUrl: event.typeUrl, name, version, diagnostics, ...(derived ? { derived } : {}) });
    }
    this.#rejections.set(rejectionKey(event), { group: event.group, client: event.client, rejected });
    this.#onChange();
  }

  accepted(event: { group: string; typeUrl: string; client: string }): void {
    if (this.#rejections.delete(rejectionKey(event))) this.#onChange();
  }

  disconnected(event: { group: string; client: string }): void {
    let changed = false;
    for (const [key, entry] of this.#rejections) {
      if (entry.group === event.group && entry.client === event.client) {
        this.#rejections.delete(key);
        changed = true;
      }
    }
    if (changed) this.#onChange();
  }

  /**
   * Current rejection diagnostics, sorted and deduplicated across clients that
   * refused the same thing. Rejections of content no longer offered are dropped here.
   */
  diagnostics(): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const [key, entry] of this.#rejections) {
      const snapshot = this.#snapshotFor(entry.group);
      entry.rejected = entry.rejected.filter((r) => stillOffered(r, snapshot));
      if (entry.rejected.length === 0) {
        this.#rejections.delete(key);
        continue;
      }
      for (const d of entry.rejected.flatMap((r) => r.diagnostics)) {
        const dedupe = JSON.stringify([d.resource, d.message]);
        if (!seen.has(dedupe)) {
          seen.add(dedupe);
          out.push(d);
        }
      }
    }
    return out.sort(compareDiagnostics);
  }

  /** How many clients have a rejection on record (the admin UI and tests read it). */
  get clientsWithRejections(): number {
    this.diagnostics();
    return new Set([...this.#rejections.values()].map((e) => `${e.group}\u0000${e.client}`)).size;
  }
}

/**
 * The refused version is what the group still offers: same content hash, or still absent for a
 * refused removal. A derived resource's version is the sink's to say (from the snapshot it was made of).
 */
function stillOffered(rejection: Rejection, snapshot: Snapshot | undefined): boolean {
  if (rejection.version === undefined || snapshot === undefined) return true;
  const current = rejection.derived
    ? rejection.derived.versionIn(snapshot)
    : findResource(snapshot, rejection.typeUrl, rejection.name)?.version;
  return (current ?? '') === rejection.version;
}

function rejectionKey(event: { group: string; typeUrl: string; client: string }): string {
  return `${event.group}\u0000${event.client}\u0000${event.typeUrl}`;
}
