/** core/v1 ConfigMap. */
import { configMapPrinter } from '../../tables/core.ts';
import { validateConfigMap } from '../../validation/core.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const configMapKind = defineKind({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  resource: 'configmaps',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  subresources: [],
  schema: 'core/v1.ConfigMap',
  validate: validateConfigMap,
  defaults: noDefaults,
  strategy: strategies.plain,
  patchMeta: {},
  fieldLabels: [],
  printer: configMapPrinter,
  protobuf: 'ConfigMap',
});
