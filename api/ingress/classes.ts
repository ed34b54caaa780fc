/**
 * The IngressClass Kubeactor's ingress controller serves, which the apiserver creates at boot
 * (only when missing: a user's change survives a restart), and the names around it.
 */
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { INGRESS_CLASS_ANNOTATION } from '../validation/ingress.ts';

/** The annotation that marks an IngressClass as the cluster's default (networking/v1 AnnotationIsDefaultIngressClass). */
export const IS_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
/** spec.controller of the classes Kubeactor's ingress controller serves. */
export const KUBEACTOR_INGRESS_CONTROLLER = 'kubeactor.io/ingress';

/** The IngressClass `kubeactor`, the cluster's default. */
export const KUBEACTOR_INGRESS_CLASS = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'kubeactor', annotations: { [IS_DEFAULT_INGRESS_CLASS]: 'true' } },
  spec: { controller: KUBEACTOR_INGRESS_CONTROLLER },
} as const;

/** The class an Ingress names: spec.ingressClassName, else the legacy annotation; '' for none. */
export function ingressClassOf(ing: Pick<Ingress, 'metadata' | 'spec'>): string {
  return ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] ?? '';
}
