import type { DiagnosticCodeTable } from '@attache/core';

export const kubernetesDiagnosticCodes = {
  KUBERNETES_ANNOTATION_INVALID: {
    severity: 'error',
    summary:
      "A Service's getambassador.io/config annotation is not valid YAML or holds a document that is not a getambassador.io resource; that document is skipped.",
  },
  KUBERNETES_INGRESS_UNSUPPORTED: {
    severity: 'warning',
    summary:
      'Part of an Ingress cannot be translated (a resource backend, a backend without a port); that path is skipped.',
  },
} as const satisfies DiagnosticCodeTable;
