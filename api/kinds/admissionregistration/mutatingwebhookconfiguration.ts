/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: HTTPS webhooks the apiserver
 * calls with an AdmissionReview on matching writes, whose JSON patches change the object
 * before it is validated and stored (actors/apiserver/webhooks/).
 */
import { defaultMutatingWebhookConfiguration } from '../../admission/defaults.ts';
import { webhookConfigurationPrinter } from '../../admission/printers.ts';
import { validateMutatingWebhookConfiguration } from '../../admission/validate-webhooks.ts';
import { merge } from '../../patch/meta.ts';
import { defineKind, strategies } from '../info.ts';

export const mutatingWebhookConfigurationKind = defineKind({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'MutatingWebhookConfiguration',
  resource: 'mutatingwebhookconfigurations',
  namespaced: false,
  shortNames: [],
  categories: ['api-extensions'],
  subresources: [],
  schema: 'admissionregistration/v1.MutatingWebhookConfiguration',
  validate: validateMutatingWebhookConfiguration,
  defaults: defaultMutatingWebhookConfiguration,
  strategy: strategies.generationOnly,
  patchMeta: { webhooks: merge('name') },
  fieldLabels: [],
  printer: webhookConfigurationPrinter,
  protobuf: null,
});
