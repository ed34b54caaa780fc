/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: binds a
 * ValidatingAdmissionPolicy to the resources it applies to, with its validation actions
 * (Deny, Warn, Audit) and its parameters.
 */
import { defaultValidatingAdmissionPolicyBinding } from '../../admission/defaults.ts';
import { validatingAdmissionPolicyBindingPrinter } from '../../admission/printers.ts';
import { validateBinding } from '../../admission/validate-policies.ts';
import { defineKind, strategies } from '../info.ts';

export const validatingAdmissionPolicyBindingKind = defineKind({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  resource: 'validatingadmissionpolicybindings',
  namespaced: false,
  shortNames: [],
  categories: ['api-extensions'],
  subresources: [],
  schema: 'admissionregistration/v1.ValidatingAdmissionPolicyBinding',
  validate: validateBinding,
  defaults: defaultValidatingAdmissionPolicyBinding,
  strategy: strategies.generationOnly,
  patchMeta: {},
  fieldLabels: [],
  printer: validatingAdmissionPolicyBindingPrinter,
  protobuf: null,
});
