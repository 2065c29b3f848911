/**
 * Envoy's normalize_path (RFC 3986 section 6: dot segments removed,
 * backslashes kept) and merge_slashes. Percent-decoding of unreserved
 * characters is left out: it changes no path a route can tell apart here.
 */
export function normalisePath(path: string, normalise: boolean, mergeSlashes: boolean): string {
  let out = path;
  if (normalise) out = removeDotSegments(out);
  if (mergeSlashes) out = out.replace(/\/{2,}/g, '/');
  return out;
}

function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '.') {
      if (i === segments.length - 1) out.push('');
      continue;
    }
    if (s === '..') {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push('');
      continue;
    }
    out.push(s);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}
