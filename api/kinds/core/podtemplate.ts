/** core/v1 PodTemplate: a named pod template, stored for tools and controllers that read one. */
import { POD_TEMPLATE } from '../../patch/meta.ts';
import { podTemplatePrinter } from '../../tables/more-kinds.ts';
import { defaultPodTemplate, validatePodTemplate } from '../../validation/podtemplate.ts';
import { defineKind, strategies } from '../info.ts';

export const podTemplateKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  resource: 'podtemplates',
  namespaced: true,
  shortNames: [],
  categories: [],
  subresources: [],
  schema: 'core/v1.PodTemplate',
  validate: validatePodTemplate,
  defaults: defaultPodTemplate,
  strategy: strategies.plain,
  patchMeta: POD_TEMPLATE,
  fieldLabels: [],
  printer: podTemplatePrinter,
  protobuf: null,
});
