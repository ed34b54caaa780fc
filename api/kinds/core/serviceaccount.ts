/** core/v1 ServiceAccount, with its token subresource. */
import { serviceAccountPrinter } from '../../tables/core.ts';
import { validateServiceAccount } from '../../validation/core.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const serviceAccountKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  resource: 'serviceaccounts',
  namespaced: true,
  shortNames: ['sa'],
  categories: [],
  subresources: ['token'],
  schema: 'core/v1.ServiceAccount',
  validate: validateServiceAccount,
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: serviceAccountPrinter,
  protobuf: 'ServiceAccount',
});
