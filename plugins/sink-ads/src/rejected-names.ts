/**
 * Which resources a NACK is about. Neither xDS variant names the culprit in a
 * field, so we read error_detail.message: Envoy names resources there; gRPC
 * says "resource index N" (its position in the response). When the message
 * points at none of them, every candidate (the resources the response
 * changed) is reported.
 */
export function rejectedResourceNames(
  message: string,
  candidates: readonly string[],
  sentInOrder: readonly string[] = [],
): string[] {
  const named = sentInOrder.length > 0 ? sentInOrder : candidates;
  const mentioned = named.filter((name) => name.length > 0 && mentions(message, name));
  // 'api' inside 'api-v2' is not a mention of 'api' when 'api-v2' is also named.
  const outermost = mentioned.filter(
    (name) => !mentioned.some((other) => other !== name && other.includes(name)),
  );
  if (outermost.length > 0) return [...new Set(outermost)].sort();
  const byIndex = [...message.matchAll(/resource index (\d+)/g)]
    .map((match) => sentInOrder[Number(match[1])])
    .filter((name): name is string => name !== undefined);
  if (byIndex.length > 0) return [...new Set(byIndex)].sort();
  return [...candidates].sort();
}

function mentions(message: string, name: string): boolean {
  let from = 0;
  for (;;) {
    const at = message.indexOf(name, from);
    if (at < 0) return false;
    if (!isNameChar(message[at - 1]) && !isNameChar(message[at + name.length])) return true;
    from = at + 1;
  }
}

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_-]/.test(ch);
}
