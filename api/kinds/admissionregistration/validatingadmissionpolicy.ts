/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: CEL validations the apiserver
 * evaluates in process on the writes a binding selects (actors/apiserver/admission-policy/).
 */
import { defaultValidatingAdmissionPolicy } from '../../admission/defaults.ts';
import { validatingAdmissionPolicyPrinter } from '../../admission/printers.ts';
import { validatePolicy } from '../../admission/validate-policies.ts';
import type { ValidatingAdmissionPolicy } from 'kubernetes-types/admissionregistration/v1.js';
import { defineKind, strategies } from '../info.ts';

export const validatingAdmissionPolicyKind = defineKind({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'ValidatingAdmissionPolicy',
  resource: 'validatingadmissionpolicies',
  namespaced: false,
  shortNames: [],
  categories: ['api-extensions'],
  subresources: ['status'],
  schema: 'admissionregistration/v1.ValidatingAdmissionPolicy',
  validate: (p: ValidatingAdmissionPolicy, old?: ValidatingAdmissionPolicy) => validatePolicy(p, old),
  defaults: defaultValidatingAdmissionPolicy,
  strategy: strategies.controlled,
  patchMeta: {},
  fieldLabels: [],
  printer: validatingAdmissionPolicyPrinter,
  protobuf: null,
});
