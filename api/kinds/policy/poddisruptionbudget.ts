/** policy/v1 PodDisruptionBudget. */
import { CONDITIONS, mount } from '../../patch/meta.ts';
import { podDisruptionBudgetPrinter } from '../../tables/others.ts';
import { validatePodDisruptionBudget } from '../../validation/misc.ts';
import { defineKind, noDefaults, strategies } from '../info.ts';

export const podDisruptionBudgetKind = defineKind({
  group: 'policy',
  version: 'v1',
  kind: 'PodDisruptionBudget',
  resource: 'poddisruptionbudgets',
  namespaced: true,
  shortNames: ['pdb'],
  categories: [],
  subresources: ['status'],
  schema: 'policy/v1.PodDisruptionBudget',
  validate: validatePodDisruptionBudget,
  defaults: noDefaults,
  strategy: strategies.controlled,
  patchMeta: mount('status', CONDITIONS),
  fieldLabels: [],
  printer: podDisruptionBudgetPrinter,
  protobuf: 'PodDisruptionBudget',
});
