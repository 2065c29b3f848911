import { type DiagnosticCodeTable, definePlugin, formatRef, type IR, type PassContext } from '@attache/core';
import { type Admission, admitLowered } from './admit.js';
import { RouteConfigText } from './json-text.js';
import { lowerIR } from './lower/index.js';
import { danglingReferences } from './references.js';
import { withAcceptedMemo } from './validate-fast.js';

/** The IR facets lowering reads: everything that becomes an Envoy resource. */
export const loweringReads = [
  'ir.listeners',
  'ir.routeConfigs',
  'ir.clusters',
  'ir.endpoints',
  'ir.secrets',
] as const;

/**
 * Lowers and admits every resource of an IR: the valid ones (without any
 * invalid route or filter chain) as XdsResources, the rest as rejections.
 * Pure; what the `envoy.lower` pass runs, exported for tools and tests.
 */
export function lowerAndValidate(ir: IR): Admission[] {
  // Lowering shares route JSON between resources and admission never mutates it (it prunes copies).
  const routeConfigText = new RouteConfigText();
  return withAcceptedMemo(() => lowerIR(ir).map((lowered) => admitLowered(lowered, routeConfigText)));
}

/** The codes this plugin declares (ENVOY_REJECTED itself is core's: the ADS sink reports NACKs with it too). */
export const envoyDiagnosticCodes = {
  ENVOY_REFERENCE_DANGLING: {
    severity: 'warning',
    summary:
      'A generated Envoy resource names a cluster, secret, route config or endpoint set that was not generated (missing or rejected); Envoy accepts it but traffic fails (503/404) or the listener never finishes warming.',
  },
} as const satisfies DiagnosticCodeTable;

function runLowering(ctx: PassContext): void {
  const emitted = new Map<string, Set<string>>();
  for (const admission of lowerAndValidate(ctx.ir)) {
    for (const rejection of admission.rejections) {
      for (const ref of rejection.refs) {
        ctx.report({
          code: 'ENVOY_REJECTED',
          resource: ref,
          message:
            `Envoy would reject ${rejection.what}, generated from ${formatRef(ref)}: ` +
            `${rejection.path || '(resource)'} ${rejection.issue}; it was left out, fix the field of this resource that produces it`,
        });
      }
    }
    if (admission.resource) {
      ctx.emit(admission.resource);
      const { typeUrl, name } = admission.resource;
      let names = emitted.get(typeUrl);
      if (!names) {
        names = new Set();
        emitted.set(typeUrl, names);
      }
      names.add(name);
    }
  }
  for (const dangling of danglingReferences(ctx.ir, emitted)) {
    for (const ref of dangling.refs) {
      ctx.report({ code: 'ENVOY_REFERENCE_DANGLING', resource: ref, message: dangling.message });
    }
  }
}

/**
 * Turns the finished IR into validated Envoy resources. Registered by every
 * distribution: without it a compile produces no Envoy configuration.
 */
export const envoyPlugin = definePlugin({
  id: 'envoy',
  description: 'Lowers the IR to Envoy v3 resources and validates each strictly against the Envoy protos',
  register(reg) {
    reg.diagnostics(envoyDiagnosticCodes);
    reg.pass({
      id: 'envoy.lower',
      phase: 'lower',
      reason: 'runs once the IR is final: it turns it into the Envoy resources sinks deliver',
      reads: loweringReads,
      run: runLowering,
    });
  },
});
