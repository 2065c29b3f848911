/**
 * Hostname globs as Emissary uses them: an exact name, `*` alone, or one `*`
 * at the start (`*.example.com`) or at the end (`shop.*`).
 */
export function isValidHostGlob(glob: string): boolean {
  if (glob === '*') return true;
  if (glob.length === 0 || whitespace.test(glob)) return false;
  const star = glob.indexOf('*');
  if (star === -1) return true;
  // One star only, first or last.
  return glob.indexOf('*', star + 1) === -1 && (star === 0 || star === glob.length - 1) && glob.length > 1;
}

const whitespace = /\s/;

/**
 * Whether some hostname could match both globs: the Host↔Mapping association
 * rule. Symmetric.
 */
export function hostGlobsIntersect(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const aSuffix = a.startsWith('*');
  const bSuffix = b.startsWith('*');
  const aPrefix = !aSuffix && a.endsWith('*');
  const bPrefix = !bSuffix && b.endsWith('*');
  const aExact = !aSuffix && !aPrefix;
  const bExact = !bSuffix && !bPrefix;
  if (aExact && bExact) return a === b;
  if (aExact) return globMatches(b, a);
  if (bExact) return globMatches(a, b);
  if (aSuffix && bSuffix) return a.slice(1).endsWith(b.slice(1)) || b.slice(1).endsWith(a.slice(1));
  if (aPrefix && bPrefix)
    return a.slice(0, -1).startsWith(b.slice(0, -1)) || b.slice(0, -1).startsWith(a.slice(0, -1));
  // One prefix glob and one suffix glob: "<prefix><suffix>" matches both.
  return true;
}

/** Whether a concrete hostname matches a glob. */
export function globMatches(glob: string, hostname: string): boolean {
  if (glob === '*') return true;
  if (glob.startsWith('*')) return hostname.endsWith(glob.slice(1)) && hostname.length > glob.length - 1;
  if (glob.endsWith('*')) return hostname.startsWith(glob.slice(0, -1)) && hostname.length > glob.length - 1;
  return glob === hostname;
}
