import { type Phase, phases } from './phases.js';
import type { Facet, PassSpec } from './plugin.js';
import { compareStrings } from './resource.js';

export interface ScheduledPass {
  id: string;
  plugin: string;
  phase: Phase;
  reason?: string;
  reads: readonly Facet[];
  writes: readonly Facet[];
}

export class ScheduleCycleError extends Error {
  constructor(
    readonly phase: Phase,
    readonly cycle: readonly string[],
    detail: string,
  ) {
    super(
      `pass cycle in phase '${phase}': ${detail}. Break it by moving one pass to another phase or dropping a read`,
    );
    this.name = 'ScheduleCycleError';
  }
}

/**
 * Orders passes: phase by phase; inside a phase, every pass that writes a
 * facet runs before every other pass that reads it (Kahn's algorithm), ties
 * broken by pass id so the order never depends on registration order.
 * A pass that reads and writes the same facet (a refinement) is ordered only
 * against other passes.
 */
export function schedulePasses<T extends Pick<PassSpec<never>, 'id' | 'phase' | 'reads' | 'writes'>>(
  passes: readonly T[],
): T[] {
  const ordered: T[] = [];
  for (const phase of phases) {
    const inPhase = passes.filter((p) => p.phase === phase).sort((a, b) => compareStrings(a.id, b.id));
    ordered.push(...orderPhase(phase, inPhase));
  }
  return ordered;
}

function orderPhase<T extends Pick<PassSpec<never>, 'id' | 'reads' | 'writes'>>(
  phase: Phase,
  passes: T[],
): T[] {
  const edges = new Map<string, Set<string>>(); // writer id → reader ids
  const indegree = new Map<string, number>();
  const because = new Map<string, Facet>(); // 'a→b' → facet
  for (const p of passes) {
    edges.set(p.id, new Set());
    indegree.set(p.id, 0);
  }
  for (const writer of passes) {
    for (const facet of writer.writes ?? []) {
      for (const reader of passes) {
        if (reader.id === writer.id || !(reader.reads ?? []).includes(facet)) continue;
        const out = edges.get(writer.id)!;
        if (!out.has(reader.id)) {
          out.add(reader.id);
          indegree.set(reader.id, indegree.get(reader.id)! + 1);
          because.set(`${writer.id}→${reader.id}`, facet);
        }
      }
    }
  }
  const byId = new Map(passes.map((p) => [p.id, p]));
  const ready = passes.filter((p) => indegree.get(p.id) === 0).map((p) => p.id);
  const result: T[] = [];
  while (ready.length > 0) {
    ready.sort(compareStrings);
    const id = ready.shift()!;
    result.push(byId.get(id)!);
    for (const next of edges.get(id)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (result.length !== passes.length) {
    const stuck = passes.filter((p) => !result.includes(p)).map((p) => p.id);
    const cycle = findCycle(stuck, edges);
    const detail = cycle
      .map((id, i) => {
        const next = cycle[(i + 1) % cycle.length]!;
        return `${id} writes '${because.get(`${id}→${next}`)}' read by ${next}`;
      })
      .join('; ');
    throw new ScheduleCycleError(phase, cycle, `${[...cycle, cycle[0]].join(' → ')} (${detail})`);
  }
  return result;
}

function findCycle(stuck: string[], edges: Map<string, Set<string>>): string[] {
  // Every stuck pass still waits on a stuck predecessor, so walking predecessors
  // (smallest id first, for a stable message) must revisit a pass: that loop is a cycle.
  const inStuck = new Set(stuck);
  const preds = (id: string) =>
    stuck.filter((p) => edges.get(p)!.has(id) && inStuck.has(p)).sort(compareStrings);
  const walk: string[] = [];
  let current = [...stuck].sort(compareStrings)[0]!;
  while (!walk.includes(current)) {
    walk.push(current);
    current = preds(current)[0]!;
  }
  const loop = walk.slice(walk.indexOf(current)).reverse();
  // Rotate so the smallest id leads: the same cycle always prints the same way.
  const first = loop.indexOf([...loop].sort(compareStrings)[0]!);
  return [...loop.slice(first), ...loop.slice(0, first)];
}
