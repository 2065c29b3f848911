/**
 * Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and ranks where the
 * time went: self time per function, inclusive time per function (each
 * sample counted once per function on its stack, so recursion does not
 * inflate it), and self time per file.
 */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  /** 'file:function' with the file relative to the repository and the 1-based line. */
  where: string;
  ms: number;
  /** Share of all sampled time, 0-1. */
  share: number;
}

export interface CpuProfileSummary {
  /** All sampled time. */
  totalMs: number;
  /** Time inside frames accepted by `within` (all of it without a filter); shares are of this. */
  focusMs: number;
  /** Garbage collection, which V8 samples outside any JavaScript stack. */
  gcMs: number;
  selfByFunction: HotSpot[];
  inclusiveByFunction: HotSpot[];
  selfByFile: HotSpot[];
}

const pseudoFrames = new Set(['(root)', '(program)', '(idle)']);

export interface CpuProfileOptions {
  top?: number;
  /** Repository root, stripped from file paths. */
  root?: string;
  /** Rank only samples with such a frame on their stack (e.g. core's compile()). */
  within?: (frame: CpuProfile['nodes'][number]['callFrame']) => boolean;
}

export function summarizeCpuProfile(profile: CpuProfile, options: CpuProfileOptions = {}): CpuProfileSummary {
  const top = options.top ?? 15;
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const label = new Map<number, { fn: string; file: string }>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = displayFile(url, options.root);
    const fn = `${functionName || '(anonymous)'}${url ? `:${lineNumber + 1}` : ''}`;
    label.set(node.id, { fn: file ? `${file}:${fn}` : fn, file: file || functionName || '(native)' });
  }

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const selfFile = new Map<string, number>();
  let totalUs = 0;
  let focusUs = 0;
  let gcUs = 0;
  const within = options.within;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    totalUs += delta;
    if (byId.get(id)!.callFrame.functionName === '(garbage collector)') gcUs += delta;
    if (within) {
      let inside = false;
      for (let at: number | undefined = id; at !== undefined && !inside; at = parent.get(at)) {
        inside = within(byId.get(at)!.callFrame);
      }
      if (!inside) return;
    }
    focusUs += delta;
    const own = label.get(id)!;
    add(self, own.fn, delta);
    add(selfFile, own.file, delta);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at)!;
      if (pseudoFrames.has(node.callFrame.functionName)) continue;
      const fn = label.get(at)!.fn;
      if (!seen.has(fn)) {
        seen.add(fn);
        add(inclusive, fn, delta);
      }
      // Callers of the focus frame are the harness: 100% each, and noise.
      if (within?.(node.callFrame)) break;
    }
  });
  const rank = (m: Map<string, number>): HotSpot[] =>
    [...m.entries()]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, top)
      .map(([where, us]) => ({ where, ms: us / 1000, share: focusUs > 0 ? us / focusUs : 0 }));
  return {
    totalMs: totalUs / 1000,
    focusMs: focusUs / 1000,
    gcMs: gcUs / 1000,
    selfByFunction: rank(self),
    inclusiveByFunction: rank(inclusive),
    selfByFile: rank(selfFile),
  };
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function displayFile(url: string, root: string | undefined): string {
  if (!url) return '';
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (root && path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  // pnpm's store path says nothing useful; keep the package and the file.
  const store = path.lastIndexOf('/node_modules/');
  return store >= 0
    ? path.slice(store + '/node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '')
    : path;
}

export function formatCpuProfileSummary(summary: CpuProfileSummary): string {
  const rows = (title: string, spots: HotSpot[]) =>
    [
      `  ${title}`,
      ...spots.map(
        (s) =>
          `    ${(s.share * 100).toFixed(1).padStart(5)}%  ${s.ms.toFixed(0).padStart(6)} ms  ${s.where}`,
      ),
    ].join('\n');
  return [
    `  sampled ${summary.totalMs.toFixed(0)} ms (wall clock), garbage collection ${summary.gcMs.toFixed(0)} ms; ranked: ${summary.focusMs.toFixed(0)} ms, shares are of that`,
    rows('self time by function', summary.selfByFunction),
    rows('inclusive time by function', summary.inclusiveByFunction),
    rows('self time by file', summary.selfByFile),
  ].join('\n');
}
