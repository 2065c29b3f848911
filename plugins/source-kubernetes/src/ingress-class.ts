import type { KubernetesObject } from '@kubernetes/client-node';

export const ambassadorIngressController = 'getambassador.io/ingress-controller';
const legacyClassAnnotation = 'kubernetes.io/ingress.class';
const defaultClassAnnotation = 'ingressclass.kubernetes.io/is-default-class';

interface IngressLike extends KubernetesObject {
  spec?: { ingressClassName?: string };
}

interface IngressClassLike extends KubernetesObject {
  spec?: { controller?: string };
}

/**
 * Whether an Ingress is ours: its IngressClass names our controller, or it
 * carries the legacy class annotation with our class name, or it names no
 * class at all and our IngressClass is the cluster default.
 */
export function isOurIngress(
  ingress: IngressLike,
  classes: readonly IngressClassLike[],
  legacyClassName: string,
): boolean {
  const className = ingress.spec?.ingressClassName;
  const ours = (c: IngressClassLike) => c.spec?.controller === ambassadorIngressController;
  if (className) {
    const cls = classes.find((c) => c.metadata?.name === className);
    return cls !== undefined && ours(cls);
  }
  const annotation = ingress.metadata?.annotations?.[legacyClassAnnotation];
  if (annotation !== undefined) return annotation === legacyClassName;
  return classes.some((c) => ours(c) && c.metadata?.annotations?.[defaultClassAnnotation] === 'true');
}
