import { isIP } from 'node:net';
import { RE2JS } from 're2js';
import type { ValueCheck, Walker } from './validate-walker.js';

/**
 * Checks Envoy performs when it loads a configuration, beyond the PGV rules
 * in the protos: each is a NACK we would otherwise only see from a live
 * Envoy. Keyed by field ('<message>.<field>') or by message type.
 */
export const fieldSemantics: Readonly<Record<string, ValueCheck>> = {
  // Envoy compiles every regex with RE2 and rejects what RE2 cannot parse.
  'envoy.type.matcher.v3.RegexMatcher.regex': (value, w) => {
    const error = re2Error(value as string);
    if (error !== undefined) w.report(`is not a valid RE2 regular expression: ${error}`);
  },
  // Envoy's header parser (every headers_to_add list) refuses to touch pseudo-headers and Host.
  'envoy.config.core.v3.HeaderValue.key': (value, w) => {
    const key = value as string;
    if (key.startsWith(':') || key.toLowerCase() === 'host') {
      w.report(`names "${key}": :-prefixed or host headers may not be modified`);
    }
  },
  // ...and reads every added value as a substitution format: a "%" must start a %COMMAND% or be "%%".
  'envoy.config.core.v3.HeaderValue.value': (value, w) => {
    const problem = formatStringProblem(value as string);
    if (problem !== undefined) w.report(problem);
  },
};

/** Envoy's substitution-format command grammar (`%NAME(args):len%`), as its parser reads it. */
const formatCommand = /^%[A-Z0-9_]+(\([^)]*\))?(:[0-9]+)?%/;

function formatStringProblem(format: string): string | undefined {
  for (let i = format.indexOf('%'); i !== -1; i = format.indexOf('%', i)) {
    if (format[i + 1] === '%') {
      i += 2;
      continue;
    }
    const command = formatCommand.exec(format.slice(i));
    if (!command) return `is not a valid format: no command at position ${i} (write "%%" for a percent sign)`;
    i += command[0].length;
  }
  return undefined;
}

// The same regexes recur across routes and compiles; compiling one is the costly part.
const re2Errors = new Map<string, string | undefined>();
const re2CacheLimit = 8192;

function re2Error(regex: string): string | undefined {
  if (re2Errors.has(regex)) return re2Errors.get(regex);
  let error: string | undefined;
  try {
    RE2JS.compile(regex);
  } catch (e) {
    error = (e as Error).message;
  }
  if (re2Errors.size >= re2CacheLimit) re2Errors.clear();
  re2Errors.set(regex, error);
  return error;
}

type Record_ = Record<string, unknown>;
type OneofValue = { case?: string; value?: unknown };

const clusterType = { STATIC: 0, LOGICAL_DNS: 2 } as const;

function clusterChecks(message: unknown, w: Walker): void {
  const cluster = message as Record_;
  const discovery = cluster.clusterDiscoveryType as OneofValue;
  if (discovery.case !== 'type') return;
  const localities = ((cluster.loadAssignment as Record_ | undefined)?.endpoints ?? []) as Record_[];
  if (discovery.value === clusterType.LOGICAL_DNS) {
    const hosts = localities.reduce((n, l) => n + (l.lbEndpoints as unknown[]).length, 0);
    if (localities.length !== 1 || hosts !== 1) {
      w.reportAt(
        'load_assignment',
        `a LOGICAL_DNS cluster needs exactly one endpoint (one locality, one lb_endpoint), got ${hosts}`,
      );
    }
  }
  if (discovery.value === clusterType.STATIC) {
    localities.forEach((locality, i) => {
      (locality.lbEndpoints as Record_[]).forEach((lb, j) => {
        const host = lb.hostIdentifier as OneofValue;
        const address = ((host.value as Record_ | undefined)?.address as Record_ | undefined)?.address as
          | OneofValue
          | undefined;
        if (host.case !== 'endpoint' || address?.case !== 'socketAddress') return;
        const ip = (address.value as Record_).address as string;
        if (isIP(ip) === 0) {
          w.segments.push(
            'load_assignment',
            'endpoints',
            i,
            'lb_endpoints',
            j,
            'endpoint',
            'address',
            'socket_address',
          );
          w.reportAt(
            'address',
            `a STATIC cluster needs IP addresses, got "${ip}"; use STRICT_DNS for host names`,
          );
          w.segments.length -= 8;
        }
      });
    });
  }
}

export const messageSemantics: Readonly<Record<string, (message: unknown, walker: Walker) => void>> = {
  'envoy.config.cluster.v3.Cluster': clusterChecks,
};

/**
 * The same checks over proto3-JSON, for the fast acceptance path: true when
 * the message certainly passes (false sends it to the authoritative path).
 */
export const messageSemanticsJson: Readonly<Record<string, (json: Record<string, unknown>) => boolean>> = {
  'envoy.config.cluster.v3.Cluster': (json) => {
    const type = json.type;
    if (type === undefined || type === null) return true;
    const assignment = (json.load_assignment ?? json.loadAssignment) as Record_ | undefined;
    const localities = ((assignment?.endpoints ?? []) as Record_[]) ?? [];
    if (type === 'LOGICAL_DNS' || type === clusterType.LOGICAL_DNS) {
      const only = localities[0];
      const hosts = (only?.lb_endpoints ?? only?.lbEndpoints) as unknown[] | undefined;
      return localities.length === 1 && hosts?.length === 1;
    }
    if (type === 'STATIC' || type === clusterType.STATIC) {
      for (const locality of localities) {
        for (const lb of ((locality.lb_endpoints ?? locality.lbEndpoints ?? []) as Record_[]) ?? []) {
          const address = ((lb.endpoint as Record_ | undefined)?.address as Record_ | undefined) ?? {};
          const socket = (address.socket_address ?? address.socketAddress) as Record_ | undefined;
          if (socket && isIP(String(socket.address)) === 0) return false;
        }
      }
    }
    return true;
  },
};
