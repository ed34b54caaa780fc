/** Defaulting of IngressClass (pkg/apis/networking/v1 defaults.go); Ingress has none in v1. */
import type { IngressClass } from 'kubernetes-types/networking/v1.js';
import { clone } from '../json.ts';

/** SetDefaults_IngressClass: a parameters reference without a scope is cluster-scoped. */
export function defaultIngressClass(ic: IngressClass): IngressClass {
  const o = clone(ic);
  if (o.spec?.parameters) o.spec.parameters.scope ??= 'Cluster';
  return o;
}
