/**
 * networking.k8s.io/v1 Ingress: HTTP(S) routes from hosts and paths to Services. Its status
 * (status.loadBalancer) is written by the ingress controller of its class.
 */
import { ingressPrinter } from '../../tables/networking.ts';
import { validateIngress } from '../../validation/ingress.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const ingressKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  resource: 'ingresses',
  namespaced: true,
  shortNames: ['ing'],
  categories: [],
  subresources: ['status'],
  schema: 'networking/v1.Ingress',
  validate: validateIngress,
  defaults: noDefaults,
  strategy: strategies.controlled,
  patchMeta: {},
  fieldLabels: [],
  printer: ingressPrinter,
  protobuf: 'Ingress',
});
