/**
 * flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration: cluster-scoped, with a
 * generation and a status. The mandatory `exempt` and `catch-all` levels keep their fixed specs
 * (validation), bar the exempt level's `exempt` stanza.
 */
import { priorityLevelConfigurationPrinter } from '../../tables/flowcontrol.ts';
import { validatePriorityLevelConfiguration } from '../../validation/flowcontrol.ts';
import { defaultPriorityLevelConfiguration } from '../../defaults/flowcontrol.ts';
import { defineKind, strategies } from '../info.ts';

export const priorityLevelConfigurationKind = defineKind({
  group: 'flowcontrol.apiserver.k8s.io',
  version: 'v1',
  kind: 'PriorityLevelConfiguration',
  resource: 'prioritylevelconfigurations',
  namespaced: false,
  shortNames: [],
  categories: [],
  subresources: ['status'],
  schema: 'flowcontrol/v1.PriorityLevelConfiguration',
  validate: validatePriorityLevelConfiguration,
  defaults: defaultPriorityLevelConfiguration,
  strategy: strategies.controlled,
  patchMeta: {},
  fieldLabels: [],
  printer: priorityLevelConfigurationPrinter,
  protobuf: null,
});
