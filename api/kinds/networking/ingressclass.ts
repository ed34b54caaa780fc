/**
 * networking.k8s.io/v1 IngressClass: names the controller that serves the Ingresses of the
 * class. The class `kubeactor` (controller kubeactor.io/ingress, the default) exists from the start.
 */
import { ingressClassPrinter } from '../../tables/networking.ts';
import { validateIngressClass } from '../../validation/ingress.ts';
import { defaultIngressClass } from '../../defaults/networking.ts';
import { defineKind, strategies } from '../info.ts';

export const ingressClassKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  resource: 'ingressclasses',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'networking/v1.IngressClass',
  validate: validateIngressClass,
  defaults: defaultIngressClass,
  strategy: strategies.generationOnly,
  patchMeta: {},
  fieldLabels: [],
  printer: ingressClassPrinter,
  protobuf: null,
});
