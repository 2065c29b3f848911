/** The first place two values differ, as a readable path and both values. */
export interface Difference {
  path: string;
  expected: unknown;
  actual: unknown;
}

export function firstDifference(expected: unknown, actual: unknown, path = ''): Difference | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    if (expected.length !== actual.length) {
      return {
        path: `${path}[${n}]`,
        expected: n < expected.length ? expected[n] : '(nothing more)',
        actual: n < actual.length ? actual[n] : '(nothing more)',
      };
    }
    return undefined;
  }
  if (isPlain(expected) && isPlain(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const k of keys) {
      const sub = path === '' ? k : `${path} › ${k}`;
      if (!(k in actual)) return { path: sub, expected: expected[k], actual: '(absent)' };
      if (!(k in expected)) return { path: sub, expected: '(absent)', actual: actual[k] };
      const d = firstDifference(expected[k], actual[k], sub);
      if (d) return d;
    }
    return undefined;
  }
  return { path, expected, actual };
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function formatDifference(d: Difference): string {
  return `${d.path}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}

export function show(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '(absent)');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
