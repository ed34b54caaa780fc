/** core/v1 ResourceQuota: the spec is the user's, status.hard and status.used the resource-quota controller's and quota admission's. */
import { resourceQuotaPrinter } from '../../tables/quota.ts';
import { validateResourceQuota } from '../../validation/quota.ts';
import { defineKind, noDefaults, type KubeObject } from '../info.ts';

export const resourceQuotaKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  resource: 'resourcequotas',
  namespaced: true,
  shortNames: ['quota'],
  categories: [],
  subresources: ['status'],
  schema: 'core/v1.ResourceQuota',
  validate: validateResourceQuota,
  defaults: noDefaults,
  // PrepareForCreate clears the status: only the controller fills it in.
  strategy: { tracksGeneration: false, allowCreateOnUpdate: false, prepareForCreate: (o: KubeObject): KubeObject => ({ ...o, status: {} }) },
  patchMeta: {},
  fieldLabels: [],
  printer: resourceQuotaPrinter,
  protobuf: 'ResourceQuota',
});
