import type { Explanation, ForwardAction, RouteOutcomeAction } from '@attache/explain';
import type { EchoRequest } from '@attache/testkit';
import type { WireAnswer } from './send-probe.js';

export interface Verdict {
  agree: boolean;
  /** What the explain model said, in one line. */
  explain: string;
  /** What the real Envoy did, in one line. */
  envoy: string;
}

/**
 * Whether a real Envoy's answer to a probe is one the explain model allows.
 * Compared: which cluster answered (its echo server is named after it) with
 * the path and :authority it received, or the redirect's status and Location,
 * or the direct response's status and body, or a 404 for no route, or a
 * connection that fails where the model says the listener or filter chain
 * refuses it. With weighted clusters any outcome the model gives a share is
 * acceptable (Envoy draws one at random). `unmapPorts` turns the ports Envoy
 * really listened on back into the case's ports (in Location and :authority).
 */
export function judgeProbe(
  e: Explanation,
  answer: WireAnswer,
  unmapPorts: (text: string) => string,
): Verdict {
  const envoy = describeAnswer(answer, unmapPorts);
  if (e.failure) {
    const explain = `fails at ${e.failure.stage}: ${e.failure.message}`;
    const stage = e.failure.stage;
    if (stage === 'listener' || stage === 'filter_chain') {
      // Refused before HTTP: the connection fails, or (a PROXY line where none is expected) Envoy's codec answers 400.
      const refused =
        answer.kind === 'connection-failed' ||
        (answer.kind === 'response' && answer.status === 400 && !echoOf(answer));
      return { agree: refused, explain, envoy };
    }
    return { agree: isNoRoute(answer), explain, envoy };
  }
  const possible = e.outcomes.filter((o) => o.probability > 0);
  const explain = possible
    .map(
      (o) =>
        `${o.probability < 1 ? `${Math.round(o.probability * 1000) / 10}%: ` : ''}${describeAction(o.action)}`,
    )
    .join('; ');
  if (possible.some((o) => answerMatches(o.action, answer, unmapPorts)))
    return { agree: true, explain, envoy };
  // Where the right upstream answered but a header differs, say which.
  const headerProblem = possible
    .map((o) => (o.action.kind === 'forward' ? headerMismatch(o.action, answer) : undefined))
    .find((m) => m !== undefined);
  return { agree: false, explain, envoy: headerProblem ? `${envoy}, but ${headerProblem}` : envoy };
}

function answerMatches(
  a: RouteOutcomeAction,
  answer: WireAnswer,
  unmapPorts: (text: string) => string,
): boolean {
  if (answer.kind !== 'response') return false;
  const echo = echoOf(answer);
  switch (a.kind) {
    case 'no_route':
      return isNoRoute(answer);
    case 'redirect':
      return (
        !echo &&
        answer.status === a.status &&
        unmapPorts(String(answer.headers.location ?? '')) === a.location
      );
    case 'direct_response':
      return !echo && answer.status === a.status && (a.body === undefined || answer.body === a.body);
    case 'forward':
      return (
        echo !== undefined &&
        a.clusters.some((c) => c.share > 0 && c.name === echo.backend) &&
        echo.path === a.path &&
        unmapPorts(echo.host) === a.authority &&
        headerMismatch(a, answer) === undefined
      );
  }
}

/**
 * Header manipulation the model promises, checked loosely enough to need no model of
 * how levels combine: an added header (literal values only, not %FORMATTERS%) carries
 * its value (ADD_IF_ABSENT: is present), a removed one that nothing adds back is
 * absent; on the request the upstream saw and on the response the client got.
 */
function headerMismatch(a: ForwardAction, answer: WireAnswer): string | undefined {
  if (answer.kind !== 'response') return undefined;
  const echo = echoOf(answer);
  if (!echo) return undefined;
  const responseHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(answer.headers))
    if (v !== undefined) responseHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
  const sides = [
    {
      what: 'request header',
      seen: echo.headers,
      add: a.requestHeadersToAdd,
      remove: a.requestHeadersToRemove,
    },
    {
      what: 'response header',
      seen: responseHeaders,
      add: a.responseHeadersToAdd,
      remove: a.responseHeadersToRemove,
    },
  ];
  for (const side of sides) {
    const added = new Set(side.add.map((h) => h.key.toLowerCase()));
    for (const h of side.add) {
      const key = h.key.toLowerCase();
      if (h.action === 'OVERWRITE_IF_EXISTS' || key.startsWith(':')) continue;
      const value = side.seen[key];
      if (value === undefined) return `${side.what} ${key} is missing`;
      if (h.action !== 'ADD_IF_ABSENT' && !h.value.includes('%') && !value.includes(h.value))
        return `${side.what} ${key} is ${JSON.stringify(value)}, not ${JSON.stringify(h.value)}`;
    }
    for (const name of side.remove) {
      const key = name.toLowerCase();
      if (!added.has(key) && side.seen[key] !== undefined) return `${side.what} ${key} is still there`;
    }
  }
  return undefined;
}

function isNoRoute(answer: WireAnswer): boolean {
  return answer.kind === 'response' && answer.status === 404 && !echoOf(answer);
}

/** The echo server's account of the request, when an echo server answered. */
function echoOf(answer: WireAnswer & { kind: 'response' }): EchoRequest | undefined {
  if (answer.headers['x-echo-backend'] === undefined) return undefined;
  try {
    return JSON.parse(answer.body) as EchoRequest;
  } catch {
    return undefined;
  }
}

function describeAction(a: RouteOutcomeAction): string {
  switch (a.kind) {
    case 'no_route':
      return '404 no route';
    case 'redirect':
      return `redirect ${a.status} ${a.location}`;
    case 'direct_response':
      return `direct response ${a.status}${a.body !== undefined ? ` ${JSON.stringify(a.body)}` : ''}`;
    case 'forward':
      return `forward to ${a.clusters.map((c) => c.name).join(' + ')} as ${a.authority}${a.path}`;
  }
}

function describeAnswer(answer: WireAnswer, unmapPorts: (text: string) => string): string {
  if (answer.kind === 'connection-failed') return `connection failed (${answer.error})`;
  const echo = echoOf(answer);
  if (echo) return `${answer.status} from ${echo.backend} as ${unmapPorts(echo.host)}${echo.path}`;
  const location = answer.headers.location;
  if (location !== undefined) return `${answer.status} Location ${unmapPorts(String(location))}`;
  const body = answer.body.length > 80 ? `${answer.body.slice(0, 77)}...` : answer.body;
  return `${answer.status} from Envoy${body ? ` ${JSON.stringify(body)}` : ''}`;
}
