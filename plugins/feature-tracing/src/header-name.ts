/** RFC 9110 token characters: what a header field name is made of. */
const tokenName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Pseudo-headers Envoy keeps on requests (what a request_header tag can read). */
const pseudoHeaders = new Set([':authority', ':method', ':path', ':scheme', ':protocol']);

/** Why no request can carry this header (undefined: one can). */
export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty header name';
  if (name.startsWith(':')) {
    return pseudoHeaders.has(name.toLowerCase())
      ? undefined
      : `'${name}' is not a pseudo-header Envoy keeps (${[...pseudoHeaders].join(', ')})`;
  }
  if (!tokenName.test(name)) {
    const bad = [...name].find((c) => !tokenName.test(c)) ?? '';
    return `'${name}' is not an HTTP header name (${JSON.stringify(bad)} is not allowed in one)`;
  }
  return undefined;
}
