/**
 * Which resources a NACK is about. Neither xDS variant names the culprit in a
 * field, but clients (Envoy, gRPC) name it in error_detail.message; when the
 * message names none of the candidates, every candidate is reported.
 */
export function rejectedResourceNames(message: string, candidates: readonly string[]): string[] {
  const named = candidates.filter((name) => name.length > 0 && mentions(message, name));
  // 'api' inside 'api-v2' is not a mention of 'api' when 'api-v2' is also named.
  const outermost = named.filter((name) => !named.some((other) => other !== name && other.includes(name)));
  return [...(outermost.length > 0 ? outermost : candidates)].sort();
}

function mentions(message: string, name: string): boolean {
  let from = 0;
  for (;;) {
    const at = message.indexOf(name, from);
    if (at < 0) return false;
    const before = message[at - 1];
    const after = message[at + name.length];
    if (!isNameChar(before) && !isNameChar(after)) return true;
    from = at + 1;
  }
}

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_-]/.test(ch);
}
