import { definePlugin, formatRef, type IR, type PassContext } from '@attache/core';
import { type Admission, admitResource } from './admit.js';
import { lowerIR } from './lower/index.js';

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
  return lowerIR(ir).map(admitResource);
}

function runLowering(ctx: PassContext): void {
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
    if (admission.resource) ctx.emit(admission.resource);
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
    // Its only code, ENVOY_REJECTED, is declared by core (the ADS sink reports NACKs with it too).
    reg.diagnostics({});
    reg.pass({
      id: 'envoy.lower',
      phase: 'lower',
      reason: 'runs once the IR is final: it turns it into the Envoy resources sinks deliver',
      reads: loweringReads,
      run: runLowering,
    });
  },
});
