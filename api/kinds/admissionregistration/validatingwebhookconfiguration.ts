/**
 * admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration: HTTPS webhooks the
 * apiserver calls with an AdmissionReview on matching writes, after validation and before
 * storage, each of which may refuse the write (actors/apiserver/webhooks/).
 */
import { defaultValidatingWebhookConfiguration } from '../../admission/defaults.ts';
import { webhookConfigurationPrinter } from '../../admission/printers.ts';
import { validateValidatingWebhookConfiguration } from '../../admission/validate-webhooks.ts';
import { merge } from '../../patch/meta.ts';
import { defineKind, strategies } from '../info.ts';

export const validatingWebhookConfigurationKind = defineKind({
  group: 'admissionregistration.k8s.io',
  version: 'v1',
  kind: 'ValidatingWebhookConfiguration',
  resource: 'validatingwebhookconfigurations',
  namespaced: false,
  shortNames: [],
  categories: ['api-extensions'],
  subresources: [],
  schema: 'admissionregistration/v1.ValidatingWebhookConfiguration',
  validate: validateValidatingWebhookConfiguration,
  defaults: defaultValidatingWebhookConfiguration,
  strategy: strategies.generationOnly,
  patchMeta: { webhooks: merge('name') },
  fieldLabels: [],
  printer: webhookConfigurationPrinter,
  protobuf: null,
});
