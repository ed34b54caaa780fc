/** core/v1 Service. */
import { CONDITIONS, merge, mount } from '../../patch/meta.ts';
import { servicePrinter } from '../../tables/core.ts';
import { validateService } from '../../validation/service.ts';
import { defaultService } from '../../defaults/service.ts';
import { defineKind, type KubeObject } from '../info.ts';

export const serviceKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'Service',
  resource: 'services',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  schema: 'core/v1.Service',
  validate: validateService,
  defaults: defaultService,
  strategy: {
    tracksGeneration: false,
    allowCreateOnUpdate: false,
    prepareForCreate: (o: KubeObject): KubeObject => ({ ...o, status: { loadBalancer: {} } }),
  },
  patchMeta: { 'spec.ports': merge('port'), ...mount('status', CONDITIONS) },
  fieldLabels: [],
  printer: servicePrinter,
  protobuf: 'Service',
});
