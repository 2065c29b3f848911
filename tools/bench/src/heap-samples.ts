/**
 * Reads V8 sampling heap profiles (`HeapProfiler.stopSampling`, started with the
 * objects collected by GC included) and ranks where the bytes were allocated:
 * self bytes per function (builtins such as `slice` or `set` count on their
 * own, as V8 reports them), and the total per unit of work.
 */
export interface HeapSampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapSampleNode[];
}

export interface AllocationSite {
  /** 'file:function:line' with the file relative to the root, or the builtin's name. */
  where: string;
  bytes: number;
}

export interface HeapSampleSummary {
  totalBytes: number;
  bySite: AllocationSite[];
}

/** Sums the profiles' samples by allocating function; the `top` largest sites, largest first. */
export function summarizeHeapSamples(
  heads: readonly HeapSampleNode[],
  options: { root?: string; top?: number } = {},
): HeapSampleSummary {
  const bytes = new Map<string, number>();
  let totalBytes = 0;
  const visit = (node: HeapSampleNode) => {
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      const where = siteOf(node.callFrame, options.root);
      bytes.set(where, (bytes.get(where) ?? 0) + node.selfSize);
    }
    for (const child of node.children) visit(child);
  };
  for (const head of heads) visit(head);
  const bySite = [...bytes]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, options.top ?? 15)
    .map(([where, n]) => ({ where, bytes: n }));
  return { totalBytes, bySite };
}

function siteOf(frame: HeapSampleNode['callFrame'], root: string | undefined): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let path = frame.url.startsWith('file://')
    ? decodeURIComponent(frame.url.slice('file://'.length))
    : frame.url;
  if (root && path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  return `${path}:${name}:${frame.lineNumber + 1}`;
}

/** The summary as lines, in KiB per `per` (e.g. per edit). */
export function formatHeapSamples(summary: HeapSampleSummary, per: number, unit: string): string {
  const kib = (n: number) => (n / 1024 / per).toFixed(1).padStart(8);
  const lines = [`  allocated ${kib(summary.totalBytes).trim()} KiB per ${unit} (sampled), by site:`];
  for (const site of summary.bySite) lines.push(`  ${kib(site.bytes)} KiB  ${site.where}`);
  return lines.join('\n');
}
