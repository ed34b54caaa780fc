/** networking.k8s.io/v1 NetworkPolicy: stored, validated and printed; nothing enforces it here. */
import { networkPolicyPrinter } from '../../tables/more-kinds.ts';
import { defaultNetworkPolicy, validateNetworkPolicy } from '../../validation/networkpolicy.ts';
import { defineKind, strategies } from '../info.ts';

export const networkPolicyKind = defineKind({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'NetworkPolicy',
  resource: 'networkpolicies',
  namespaced: true,
  shortNames: ['netpol'],
  categories: [],
  subresources: [],
  schema: 'networking/v1.NetworkPolicy',
  validate: validateNetworkPolicy,
  defaults: defaultNetworkPolicy,
  strategy: strategies.generationOnly,
  patchMeta: {},
  fieldLabels: [],
  printer: networkPolicyPrinter,
  protobuf: null,
});
