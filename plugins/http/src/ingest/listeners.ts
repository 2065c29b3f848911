import { EdgeListenersExt, type EdgeListenerView, type PassContext, writeExt } from '@attache/core';
import { ExtKey, type HttpListener, type ProtocolLayer } from '../model.js';
import { ListenerSpec } from '../schemas/listener.js';
import { isEmptySelector } from '../selector.js';
import { admit } from './admit.js';

/**
 * The layers each `protocol` stands for. HTTPSPROXY puts PROXY first: the
 * PROXY header precedes the TLS handshake on the wire (Emissary puts the TLS
 * inspector first here, issue #4153, and such a listener cannot work).
 */
const protocolStacks: Record<string, ProtocolLayer[]> = {
  HTTP: ['HTTP', 'TCP'],
  HTTPS: ['TLS', 'HTTP', 'TCP'],
  HTTPPROXY: ['PROXY', 'HTTP', 'TCP'],
  HTTPSPROXY: ['PROXY', 'TLS', 'HTTP', 'TCP'],
  TCP: ['TCP'],
  TLS: ['TLS', 'TCP'],
  UDP: ['UDP'],
};

/** Validates Listeners; keeps those with an HTTP layer, one per port (earliest namespace/name wins). */
export function ingestListeners(ctx: PassContext): void {
  const listeners: HttpListener[] = [];
  const byPort = new Map<number, HttpListener>();
  // Every usable Listener, HTTP or not, for plugins that serve TCP on ports (feature-tcp).
  const views: EdgeListenerView[] = [];
  for (const l of admit<ListenerSpec>(ctx, 'Listener', ListenerSpec)) {
    const spec = l.spec;
    let stack: ProtocolLayer[];
    if (spec.protocolStack) {
      if (spec.protocol) {
        ctx.report({
          code: 'LISTENER_PROTOCOL_BOTH',
          resource: l.ref,
          path: '/spec/protocol',
          message: 'spec.protocol is ignored because spec.protocolStack is set; remove one of them',
        });
      }
      stack = spec.protocolStack as ProtocolLayer[];
      const last = stack[stack.length - 1];
      if ((last !== 'TCP' && last !== 'UDP') || new Set(stack).size !== stack.length) {
        ctx.report({
          code: 'LISTENER_PROTOCOL_STACK_INVALID',
          resource: l.ref,
          path: '/spec/protocolStack',
          message: `spec.protocolStack [${stack.join(', ')}] must list each layer once and end in TCP or UDP, e.g. [TLS, HTTP, TCP]`,
        });
        continue;
      }
    } else if (spec.protocol) {
      stack = protocolStacks[spec.protocol]!;
    } else {
      ctx.report({
        code: 'LISTENER_PROTOCOL_MISSING',
        resource: l.ref,
        path: '/spec/protocol',
        message:
          'set spec.protocol (HTTP, HTTPS, HTTPPROXY, HTTPSPROXY, TCP, TLS, UDP) or spec.protocolStack',
      });
      continue;
    }
    if (!stack.includes('HTTP')) {
      ctx.report({
        code: 'LISTENER_NOT_HTTP',
        resource: l.ref,
        path: spec.protocolStack ? '/spec/protocolStack' : '/spec/protocol',
        message:
          'this Listener has no HTTP layer; it serves TCPMappings (the feature-tcp plugin), not Mappings',
      });
      views.push(listenerView(l.ref, spec.port, stack, false, spec.statsPrefix));
      continue;
    }
    const previous = byPort.get(spec.port);
    if (previous) {
      ctx.report({
        code: 'LISTENER_PORT_DUPLICATE',
        resource: l.ref,
        path: '/spec/port',
        message: `port ${spec.port} is already used by Listener ${previous.id}; pick another port or merge the two`,
      });
      continue;
    }
    const listener: HttpListener = {
      ref: l.ref,
      id: l.id,
      name: l.name,
      namespace: l.namespace,
      labels: l.labels,
      port: spec.port,
      stack,
      securityModel: spec.securityModel as HttpListener['securityModel'],
      hostBinding: {
        from: (spec.hostBinding.namespace?.from as HttpListener['hostBinding']['from']) ?? 'SELF',
      },
    };
    if (spec.hostBinding.selector) listener.hostBinding.selector = spec.hostBinding.selector;
    if (listener.hostBinding.from === 'SELECTOR' && isEmptySelector(spec.hostBinding.selector)) {
      ctx.report({
        code: 'LISTENER_SELECTOR_MISSING',
        resource: l.ref,
        path: '/spec/hostBinding/selector',
        message:
          'hostBinding.namespace.from is SELECTOR but hostBinding.selector is empty; add matchLabels for the Namespaces to bind (until then only Hosts in this namespace are bound)',
      });
      listener.hostBinding.from = 'SELF';
    }
    if (spec.statsPrefix) listener.statsPrefix = spec.statsPrefix;
    if (spec.l7Depth) listener.l7Depth = spec.l7Depth;
    if (spec.http2MaxConcurrentStreams) listener.http2MaxConcurrentStreams = spec.http2MaxConcurrentStreams;
    byPort.set(spec.port, listener);
    listeners.push(listener);
    views.push(listenerView(l.ref, spec.port, stack, true, spec.statsPrefix));
  }
  ctx.ir.ext[ExtKey.listeners] = listeners;
  writeExt(ctx.ir, EdgeListenersExt, views);
}

function listenerView(
  ref: EdgeListenerView['ref'],
  port: number,
  protocolStack: readonly ProtocolLayer[],
  http: boolean,
  statsPrefix: string | undefined,
): EdgeListenerView {
  const view: EdgeListenerView = { ref, port, address: '0.0.0.0', protocolStack: [...protocolStack], http };
  if (statsPrefix) view.statsPrefix = statsPrefix;
  return view;
}
